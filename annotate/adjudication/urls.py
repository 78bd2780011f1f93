from django.urls import path

from .apis import (
    AdjudicationBulkApplyApi,
    AdjudicationBulkPreviewApi,
    AdjudicationDecideApi,
    AdjudicationQueueApi,
    AdjudicationSettingsApi,
    AdjudicationUnitApi,
    CoderAgreementApi,
    FinalCodingListApi,
)

urlpatterns = [
    path("adjudication/queue/", AdjudicationQueueApi.as_view(), name="adjudication-queue"),
    path("adjudication/units/<int:segment_id>/", AdjudicationUnitApi.as_view(), name="adjudication-unit"),
    path(
        "adjudication/units/<int:segment_id>/decide",
        AdjudicationDecideApi.as_view(),
        name="adjudication-decide",
    ),
    path("adjudication/bulk/preview", AdjudicationBulkPreviewApi.as_view(), name="adjudication-bulk-preview"),
    path("adjudication/bulk/apply", AdjudicationBulkApplyApi.as_view(), name="adjudication-bulk-apply"),
    path("adjudication/final/", FinalCodingListApi.as_view(), name="adjudication-final"),
    path("adjudication/coder-agreement/", CoderAgreementApi.as_view(), name="adjudication-coder-agreement"),
    path("adjudication/settings/", AdjudicationSettingsApi.as_view(), name="adjudication-settings"),
]
