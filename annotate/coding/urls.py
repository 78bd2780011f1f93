from django.urls import path

from .apis import CodingDetailApi, CodingListApi

urlpatterns = [
    path("codings/", CodingListApi.as_view(), name="coding-list"),
    path("codings/<int:coding_id>/", CodingDetailApi.as_view(), name="coding-detail"),
]
