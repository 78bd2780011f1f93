from django.urls import path

from .apis import KwicApi, MatrixApi, PassageDownloadApi, PassageListApi, SearchApi, WordFrequencyApi

urlpatterns = [
    path("search/", SearchApi.as_view(), name="explore-search"),
    path("kwic/", KwicApi.as_view(), name="explore-kwic"),
    path("words/", WordFrequencyApi.as_view(), name="explore-words"),
    path("passages/", PassageListApi.as_view(), name="explore-passages"),
    path("passages/export.<str:fmt>", PassageDownloadApi.as_view(), name="explore-passages-download"),
    path("matrices/<str:kind>/", MatrixApi.as_view(), name="explore-matrix"),
]
