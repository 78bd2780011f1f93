from django.urls import path

from .apis import AttributeListApi, CaseDetailApi, CaseListApi

urlpatterns = [
    path("attributes/", AttributeListApi.as_view(), name="attribute-list"),
    path("cases/", CaseListApi.as_view(), name="case-list"),
    path("cases/<int:case_id>/", CaseDetailApi.as_view(), name="case-detail"),
]
