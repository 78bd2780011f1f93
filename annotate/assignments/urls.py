from django.urls import path

from .apis import (
    AssignmentDetailApi,
    AssignmentDoneApi,
    AssignmentListApi,
    AssignmentPlanApi,
    AssignmentPlanExtendApi,
    AssignmentPlanPreviewApi,
    AssignmentReopenApi,
    ProgressApi,
    QueueNextApi,
)

urlpatterns = [
    path("assignment-plan/", AssignmentPlanApi.as_view(), name="assignment-plan"),
    path("assignment-plan/extend/", AssignmentPlanExtendApi.as_view(), name="assignment-plan-extend"),
    path("assignment-plan/preview/", AssignmentPlanPreviewApi.as_view(), name="assignment-plan-preview"),
    path("queue/next/", QueueNextApi.as_view(), name="queue-next"),
    path("assignments/", AssignmentListApi.as_view(), name="assignment-list"),
    path("assignments/<int:segment_id>/", AssignmentDetailApi.as_view(), name="assignment-detail"),
    path("assignments/<int:segment_id>/done/", AssignmentDoneApi.as_view(), name="assignment-done"),
    path("assignments/<int:segment_id>/reopen/", AssignmentReopenApi.as_view(), name="assignment-reopen"),
    path("progress/", ProgressApi.as_view(), name="progress"),
]
