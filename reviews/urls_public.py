from django.urls import path

from . import public

urlpatterns = [
    path("batches/", public.batch_list, name="batch_list"),
    path("batches/<int:year>/<int:sequence>/", public.batch_detail, name="batch_detail"),
    path("practices/", public.practice_list, name="practice_list"),
    path("practices/<int:pk>/", public.practice_detail, name="practice_detail"),
]
urlpatterns.append(
    path("practices/<int:pk>/attachments/<int:attachment_pk>/", public.attachment_download, name="public_attachment")
)
