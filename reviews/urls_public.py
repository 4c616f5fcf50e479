from django.urls import path

from . import public

urlpatterns = [
    path("batches/", public.batch_list, name="batch_list"),
    path("batches/<int:year>/<int:sequence>/", public.batch_detail, name="batch_detail"),
    path("batches/<int:year>/<int:sequence>/export.<str:fmt>", public.batch_export, name="batch_export"),
    path("practices/", public.practice_list, name="practice_list"),
    path("api/v1/practices/", public.api_practices, name="api_practices"),
    path("api/v1/batches/", public.api_batches, name="api_batches"),
    path("feeds/batches.atom", public.BatchFeed(), name="batch_feed"),
    path("practices/<id:pk>/", public.practice_detail, name="practice_detail"),
]
urlpatterns.append(
    path("practices/<id:pk>/attachments/<id:attachment_pk>/", public.attachment_download, name="public_attachment")
)
