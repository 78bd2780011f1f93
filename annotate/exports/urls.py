from django.urls import path

from .apis import (
    ExportJobDetailApi,
    ExportJobDownloadApi,
    ExportJobListApi,
    ExportPreviewApi,
    ProjectImportDetailApi,
    ProjectImportListApi,
)

urlpatterns = [
    path("exports/", ExportJobListApi.as_view(), name="export-list"),
    path("exports/preview", ExportPreviewApi.as_view(), name="export-preview"),
    path("exports/<int:job_id>/", ExportJobDetailApi.as_view(), name="export-detail"),
    path("exports/<int:job_id>/download", ExportJobDownloadApi.as_view(), name="export-download"),
    path("qdpx-imports/", ProjectImportListApi.as_view(), name="qdpx-import-list"),
    path("qdpx-imports/<int:job_id>/", ProjectImportDetailApi.as_view(), name="qdpx-import-detail"),
]
