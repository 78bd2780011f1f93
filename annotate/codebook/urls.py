from django.urls import path

from .apis import CodebookApi, CodebookVersionListApi, CodeDetailApi, CodeListApi

urlpatterns = [
    path("codebook/", CodebookApi.as_view(), name="codebook"),
    path("codebook/codes/", CodeListApi.as_view(), name="code-list"),
    path("codebook/codes/<int:code_id>/", CodeDetailApi.as_view(), name="code-detail"),
    path("codebook/versions/", CodebookVersionListApi.as_view(), name="codebook-version-list"),
]
