from django.urls import path

from .apis import (
    AssignmentListApi,
    AssignmentPlanApi,
    AssignmentPlanExtendApi,
    AssignmentPlanPreviewApi,
    ProgressApi,
)

urlpatterns = [
    path("assignment-plan/", AssignmentPlanApi.as_view(), name="assignment-plan"),
    path("assignment-plan/extend/", AssignmentPlanExtendApi.as_view(), name="assignment-plan-extend"),
    path("assignment-plan/preview/", AssignmentPlanPreviewApi.as_view(), name="assignment-plan-preview"),
    path("assignments/", AssignmentListApi.as_view(), name="assignment-list"),
    path("progress/", ProgressApi.as_view(), name="progress"),
]
