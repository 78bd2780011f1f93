from django.urls import path

from .apis import (
    AgreementCodeTableApi,
    AgreementFigureApi,
    AgreementLatestApi,
    AgreementRunDetailApi,
    AgreementRunListApi,
    AgreementSummaryApi,
    AnalysisEventsApi,
    AnalysisPulseApi,
    AnalysisSettingsApi,
    CodeUsageApi,
    SaturationCodeTableApi,
    SaturationFigureApi,
    SaturationLatestApi,
    SaturationRunDetailApi,
    SaturationRunListApi,
    SaturationWordingApi,
    SpanAgreementLatestApi,
    SpanAgreementRunDetailApi,
    SpanAgreementRunListApi,
    SpanAlignmentApi,
)

urlpatterns = [
    path("codebook/usage/", CodeUsageApi.as_view(), name="codebook-usage"),
    path("analysis/settings/", AnalysisSettingsApi.as_view(), name="analysis-settings"),
    path("analysis/agreement/summary/", AgreementSummaryApi.as_view(), name="agreement-summary"),
    path("analysis/agreement/runs/", AgreementRunListApi.as_view(), name="agreement-run-list"),
    path(
        "analysis/agreement/runs/<int:run_id>/", AgreementRunDetailApi.as_view(), name="agreement-run-detail"
    ),
    path(
        "analysis/agreement/runs/<int:run_id>/figures/<str:figure>.<str:fmt>",
        AgreementFigureApi.as_view(),
        name="agreement-run-figure",
    ),
    path("analysis/pulse/", AnalysisPulseApi.as_view(), name="analysis-pulse"),
    path("analysis/events/", AnalysisEventsApi.as_view(), name="analysis-events"),
    path("analysis/agreement/latest/", AgreementLatestApi.as_view(), name="agreement-latest"),
    path(
        "analysis/agreement/runs/<int:run_id>/codes.csv",
        AgreementCodeTableApi.as_view(),
        name="agreement-run-codes",
    ),
    path("analysis/saturation/runs/", SaturationRunListApi.as_view(), name="saturation-run-list"),
    path(
        "analysis/saturation/runs/<int:run_id>/",
        SaturationRunDetailApi.as_view(),
        name="saturation-run-detail",
    ),
    path("analysis/saturation/latest/", SaturationLatestApi.as_view(), name="saturation-latest"),
    path(
        "analysis/saturation/runs/<int:run_id>/codes.csv",
        SaturationCodeTableApi.as_view(),
        name="saturation-run-codes",
    ),
    path(
        "analysis/saturation/runs/<int:run_id>/figures/<str:figure>.<str:fmt>",
        SaturationFigureApi.as_view(),
        name="saturation-run-figure",
    ),
    path(
        "analysis/saturation/runs/<int:run_id>/wording/",
        SaturationWordingApi.as_view(),
        name="saturation-run-wording",
    ),
    path("analysis/spans/runs/", SpanAgreementRunListApi.as_view(), name="span-agreement-run-list"),
    path(
        "analysis/spans/runs/<int:run_id>/",
        SpanAgreementRunDetailApi.as_view(),
        name="span-agreement-run-detail",
    ),
    path("analysis/spans/latest/", SpanAgreementLatestApi.as_view(), name="span-agreement-latest"),
    path("analysis/spans/alignment/", SpanAlignmentApi.as_view(), name="span-alignment"),
]
