from django.urls import path

from .apis import MatrixApi, PassageDownloadApi, PassageListApi, SearchApi

urlpatterns = [
    path("search/", SearchApi.as_view(), name="explore-search"),
    path("passages/", PassageListApi.as_view(), name="explore-passages"),
    path("passages/export.<str:fmt>", PassageDownloadApi.as_view(), name="explore-passages-download"),
    path("matrices/<str:kind>/", MatrixApi.as_view(), name="explore-matrix"),
]
