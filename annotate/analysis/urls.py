from django.urls import path

from .apis import (
    SaturationCodeTableApi,
    SaturationFigureApi,
    SaturationLatestApi,
    SaturationRunDetailApi,
    SaturationRunListApi,
    SaturationWordingApi,
)

urlpatterns = [
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
]
