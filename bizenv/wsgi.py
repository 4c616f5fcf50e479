"""
WSGI config for bizenv project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

from bizenv.web import collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizenv.settings")

application = get_wsgi_application()
collector.tune()  # no full collection of the cycle collector in the middle of a request
