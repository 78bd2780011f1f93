from django.urls import path

from .apis import DocumentDetailApi, DocumentListApi, SegmentListApi

urlpatterns = [
    path("documents/", DocumentListApi.as_view(), name="document-list"),
    path("documents/<int:document_id>/", DocumentDetailApi.as_view(), name="document-detail"),
    path("documents/<int:document_id>/segments/", SegmentListApi.as_view(), name="segment-list"),
]
