from django.urls import path

from .apis import PassageListApi, SearchApi

urlpatterns = [
    path("search/", SearchApi.as_view(), name="explore-search"),
    path("passages/", PassageListApi.as_view(), name="explore-passages"),
]
