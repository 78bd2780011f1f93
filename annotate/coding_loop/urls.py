from django.urls import path

from .apis import (
    AssignmentDetailApi,
    AssignmentDoneApi,
    AssignmentReopenApi,
    QueueNextApi,
    SegmentCodingSetApi,
)

urlpatterns = [
    path("queue/next/", QueueNextApi.as_view(), name="queue-next"),
    path("segments/<int:segment_id>/codings/", SegmentCodingSetApi.as_view(), name="segment-coding-set"),
    path("assignments/<int:segment_id>/done/", AssignmentDoneApi.as_view(), name="assignment-done"),
    path("assignments/<int:segment_id>/", AssignmentDetailApi.as_view(), name="assignment-detail"),
    path("assignments/<int:segment_id>/reopen/", AssignmentReopenApi.as_view(), name="assignment-reopen"),
]
