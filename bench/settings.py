"""Production settings with the benchmark's bare view (bench/urls.py): what gunicorn serves in bench/served.py."""

from bizenv.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
