from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from .models import Code, Codebook, CodebookVersion


def codebook_get(*, project_id: int) -> Codebook:
    codebook = Codebook.objects.filter(project_id=project_id).first()
    if codebook is None:
        raise NotFound("This project has no codebook yet.")
    return codebook


def codebook_current_version(*, codebook: Codebook) -> CodebookVersion:
    return codebook.versions.order_by("-number").first()


def code_list(*, codebook: Codebook) -> QuerySet[Code]:
    return Code.objects.filter(codebook=codebook).order_by("parent_id", "position", "id")


def code_get(*, project_id: int, code_id: int) -> Code:
    code = Code.objects.select_related("codebook").filter(codebook__project_id=project_id, pk=code_id).first()
    if code is None:
        raise NotFound("Code not found in this project's codebook.")
    return code


def code_paths(*, codebook: Codebook) -> dict[int, str]:
    """Every code's path from its theme, "Theme > Code > Sub-code", keyed by id (one query)."""
    rows = {c["id"]: c for c in Code.objects.filter(codebook=codebook).values("id", "name", "parent_id")}
    paths: dict[int, str] = {}

    def path(code_id: int) -> str:
        if code_id not in paths:
            row = rows[code_id]
            paths[code_id] = (
                row["name"] if row["parent_id"] is None else f"{path(row['parent_id'])} > {row['name']}"
            )
        return paths[code_id]

    for code_id in rows:
        path(code_id)
    return paths


def version_list(*, codebook: Codebook) -> QuerySet[CodebookVersion]:
    return codebook.versions.select_related("created_by").order_by("-number")
