from django.urls import path, re_path

from .apis import AttributeListApi, CaseDetailApi, CaseImportApi, CaseListApi

urlpatterns = [
    path("attributes/", AttributeListApi.as_view(), name="attribute-list"),
    path("cases/", CaseListApi.as_view(), name="case-list"),
    path("cases/<int:case_id>/", CaseDetailApi.as_view(), name="case-detail"),
    re_path(r"^cases/import/?$", CaseImportApi.as_view(), name="case-import"),
]
