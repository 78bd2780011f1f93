from django.urls import path, re_path

from .apis import (
    DocumentDetailApi,
    DocumentImportPreviewApi,
    DocumentListApi,
    DocumentSpeakersApi,
    ImportJobDetailApi,
    ImportJobListApi,
    SegmentListApi,
)

urlpatterns = [
    path("documents/", DocumentListApi.as_view(), name="document-list"),
    path("documents/<int:document_id>/", DocumentDetailApi.as_view(), name="document-detail"),
    path("documents/<int:document_id>/segments/", SegmentListApi.as_view(), name="segment-list"),
    path("documents/<int:document_id>/speakers/", DocumentSpeakersApi.as_view(), name="document-speakers"),
    # Both spellings work, with and without the trailing slash (a POST cannot follow a redirect).
    re_path(r"^documents/preview/?$", DocumentImportPreviewApi.as_view(), name="document-import-preview"),
    path("imports/", ImportJobListApi.as_view(), name="import-job-list"),
    path("imports/<int:job_id>/", ImportJobDetailApi.as_view(), name="import-job-detail"),
]
