from django.urls import path

from .apis import CodingDetailApi, CodingListApi, SegmentCodingSetApi

urlpatterns = [
    path("codings/", CodingListApi.as_view(), name="coding-list"),
    path("codings/<int:coding_id>/", CodingDetailApi.as_view(), name="coding-detail"),
    path("segments/<int:segment_id>/codings/", SegmentCodingSetApi.as_view(), name="segment-coding-set"),
]
