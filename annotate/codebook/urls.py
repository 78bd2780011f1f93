from django.urls import path

from .apis import (
    CodebookApi,
    CodebookExportApi,
    CodebookImportApi,
    CodebookVersionDetailApi,
    CodebookVersionDiffApi,
    CodebookVersionListApi,
    CodeDetailApi,
    CodeListApi,
    CodeMergeApi,
    CodeSplitApi,
    ProposalDecideApi,
    ProposalDetailApi,
    ProposalListApi,
)

# Actions (merge, split, decide, diff, export, import) are written without a trailing slash.
urlpatterns = [
    path("codebook/", CodebookApi.as_view(), name="codebook"),
    path("codebook/codes/", CodeListApi.as_view(), name="code-list"),
    path("codebook/codes/<int:code_id>/", CodeDetailApi.as_view(), name="code-detail"),
    path("codebook/codes/<int:code_id>/merge", CodeMergeApi.as_view(), name="code-merge"),
    path("codebook/codes/<int:code_id>/split", CodeSplitApi.as_view(), name="code-split"),
    path("codebook/versions/", CodebookVersionListApi.as_view(), name="codebook-version-list"),
    path(
        "codebook/versions/<int:number>/", CodebookVersionDetailApi.as_view(), name="codebook-version-detail"
    ),
    path(
        "codebook/versions/<int:a>/diff/<int:b>",
        CodebookVersionDiffApi.as_view(),
        name="codebook-version-diff",
    ),
    path("codebook/proposals/", ProposalListApi.as_view(), name="code-proposal-list"),
    path("codebook/proposals/<int:proposal_id>/", ProposalDetailApi.as_view(), name="code-proposal-detail"),
    path(
        "codebook/proposals/<int:proposal_id>/decide",
        ProposalDecideApi.as_view(),
        name="code-proposal-decide",
    ),
    path("codebook/export/<str:file_format>", CodebookExportApi.as_view(), name="codebook-export"),
    path("codebook/import/<str:file_format>", CodebookImportApi.as_view(), name="codebook-import"),
]
