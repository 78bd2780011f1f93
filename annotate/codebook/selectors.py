from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from annotate.projects.models import Membership, Role

from .exchange import TEXT_FIELDS, ExportCode
from .models import Code, Codebook, CodebookVersion, CodeProposal


def codebook_get(*, project_id: int) -> Codebook:
    codebook = Codebook.objects.filter(project_id=project_id).first()
    if codebook is None:
        raise NotFound("This project has no codebook yet.")
    return codebook


def codebook_current_version(*, codebook: Codebook) -> CodebookVersion:
    """The codebook's latest version (``codebook_create`` makes the first one with the codebook)."""
    version = codebook.versions.order_by("-number").first()
    assert version is not None
    return version


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


def version_get(*, codebook: Codebook, number: int) -> CodebookVersion:
    version = codebook.versions.select_related("created_by").filter(number=number).first()
    if version is None:
        raise NotFound(f"The codebook has no version {number}.")
    return version


def codebook_export_codes(*, codebook: Codebook) -> list[ExportCode]:
    """Every code, parents before children and siblings in their order, with its path (two queries)."""
    codes = list(Code.objects.filter(codebook=codebook).order_by("position", "id"))
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    out: list[ExportCode] = []

    def walk(parent_id: int | None, path: tuple[str, ...]) -> None:
        for code in children.get(parent_id, []):
            code_path = (*path, code.name)
            out.append(
                ExportCode(
                    path=code_path,
                    guid=code.guid,
                    colour=code.colour,
                    is_active=code.is_active,
                    **{name: getattr(code, name) for name in TEXT_FIELDS},
                )
            )
            walk(code.id, code_path)

    walk(None, ())
    return out


def proposal_list_visible(*, membership: Membership) -> QuerySet[CodeProposal]:
    """Owners see every proposal of the project; everyone else sees their own."""
    qs = CodeProposal.objects.filter(codebook__project_id=membership.project_id)
    if membership.role != Role.OWNER:
        qs = qs.filter(proposed_by_id=membership.user_id)
    return qs.select_related("proposed_by", "decided_by").order_by("-created_at", "-id")


def proposal_get_visible(*, membership: Membership, proposal_id: int) -> CodeProposal:
    proposal = proposal_list_visible(membership=membership).filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound("Proposal not found.")
    return proposal
