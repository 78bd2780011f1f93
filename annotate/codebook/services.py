"""Writes of the codebook. Every change creates a new, immutable CodebookVersion (with author, time and
rationale) holding a snapshot of every code, and writes its audit events in the same transaction."""

from typing import Any

from django.db import transaction

from annotate.audit.services import audit_record, snapshot
from annotate.core.exceptions import ApplicationError

from .models import Code, Codebook, CodebookVersion

CODE_FIELDS = [
    "name",
    "parent",
    "definition",
    "inclusion",
    "exclusion",
    "typical_example",
    "atypical_example",
    "colour",
    "is_active",
    "position",
]
EDITABLE_FIELDS = [f for f in CODE_FIELDS if f != "parent"]


def _codebook_snapshot(codebook: Codebook) -> list[dict[str, Any]]:
    return [snapshot(code, fields=CODE_FIELDS) for code in codebook.codes.order_by("id")]


def _coding_has_started(codebook: Codebook) -> bool:
    from annotate.coding.models import Coding

    return Coding.objects.filter(project_id=codebook.project_id).exists()


def _version_create(*, codebook: Codebook, actor, rationale: str) -> CodebookVersion:
    """Freeze the codebook as it now stands. Callers hold the codebook row lock."""
    last = codebook.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = CodebookVersion.objects.create(
        codebook=codebook,
        number=last + 1,
        created_by=actor,
        rationale=rationale,
        snapshot=_codebook_snapshot(codebook),
    )
    audit_record(
        project_id=codebook.project_id,
        actor=actor,
        action="codebook_version.create",
        obj=version,
        after={"number": version.number, "codes": len(version.snapshot)},
        reason=rationale,
    )
    return version


def _lock(codebook: Codebook) -> Codebook:
    return Codebook.objects.select_for_update().get(pk=codebook.pk)


def _require_rationale(codebook: Codebook, rationale: str) -> None:
    if not rationale.strip() and _coding_has_started(codebook):
        raise ApplicationError("Coding has started: give a rationale for this codebook change.")


def codebook_create(*, project, actor, name: str | None = None) -> Codebook:
    """A project's codebook with its empty first version."""
    with transaction.atomic():
        codebook = Codebook.objects.create(project=project, name=name or project.name)
        audit_record(
            project_id=project.id,
            actor=actor,
            action="codebook.create",
            obj=codebook,
            after={"name": codebook.name},
        )
        _version_create(codebook=codebook, actor=actor, rationale="Codebook created.")
    return codebook


def _validate_colour(colour: str) -> None:
    if len(colour) != 7 or colour[0] != "#" or any(c not in "0123456789abcdefABCDEF" for c in colour[1:]):
        raise ApplicationError(f"Colour {colour!r} is not a hex colour like #4e79a7.")


def _validate_parent(codebook: Codebook, code: Code | None, parent: Code | None) -> None:
    if parent is None:
        return
    if parent.codebook_id != codebook.id:
        raise ApplicationError("The parent code belongs to another codebook.")
    ancestor: Code | None = parent
    while ancestor is not None:
        if code is not None and ancestor.pk == code.pk:
            raise ApplicationError("A code cannot be moved under itself or one of its descendants.")
        ancestor = ancestor.parent


def _ensure_unique_name(codebook: Codebook, name: str, parent: Code | None, exclude_id: int | None) -> None:
    siblings = Code.objects.filter(codebook=codebook, parent=parent, name=name)
    if exclude_id is not None:
        siblings = siblings.exclude(pk=exclude_id)
    if siblings.exists():
        where = f"under {parent.name!r}" if parent else "at the top level"
        raise ApplicationError(f"A code called {name!r} already exists {where}.", status=409)


def _code_create(
    *, codebook: Codebook, actor, name: str, parent: Code | None, fields: dict[str, Any]
) -> Code:
    name = name.strip()
    if not name:
        raise ApplicationError("A code needs a name.")
    _validate_parent(codebook, None, parent)
    _ensure_unique_name(codebook, name, parent, None)
    if "colour" in fields:
        _validate_colour(fields["colour"])
    if "position" not in fields:
        fields["position"] = Code.objects.filter(codebook=codebook, parent=parent).count()
    code = Code(codebook=codebook, parent=parent, name=name, **fields)
    code.full_clean(validate_unique=False, validate_constraints=False)
    code.save()
    audit_record(
        project_id=codebook.project_id,
        actor=actor,
        action="code.create",
        obj=code,
        after=snapshot(code, fields=CODE_FIELDS),
    )
    return code


def code_create(
    *, codebook: Codebook, actor, name: str, parent: Code | None = None, rationale: str = "", **fields: Any
) -> Code:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown code field(s): {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        codebook = _lock(codebook)
        _require_rationale(codebook, rationale)
        code = _code_create(codebook=codebook, actor=actor, name=name, parent=parent, fields=fields)
        _version_create(codebook=codebook, actor=actor, rationale=rationale or f"Added code {code.name!r}.")
    return code


def code_update(*, code: Code, actor, data: dict[str, Any], rationale: str = "") -> Code:
    """Edit fields, move (``parent``) or (de)activate a code. A deactivated code keeps its codings."""
    with transaction.atomic():
        codebook = _lock(code.codebook)
        code = Code.objects.select_for_update().get(pk=code.pk)
        before = snapshot(code, fields=CODE_FIELDS)
        if "parent" in data:
            _validate_parent(codebook, code, data["parent"])
            code.parent = data["parent"]
        for field in EDITABLE_FIELDS:
            if field in data:
                setattr(code, field, data[field].strip() if field == "name" else data[field])
        if "colour" in data:
            _validate_colour(code.colour)
        _ensure_unique_name(codebook, code.name, code.parent, code.pk)
        code.full_clean(validate_unique=False, validate_constraints=False)
        after = snapshot(code, fields=CODE_FIELDS)
        if after == before:
            return code
        _require_rationale(codebook, rationale)
        code.save()
        action = "code.update"
        if before["parent"] != after["parent"]:
            action = "code.move"
        elif before["is_active"] != after["is_active"]:
            action = "code.deactivate" if not code.is_active else "code.reactivate"
        audit_record(
            project_id=codebook.project_id,
            actor=actor,
            action=action,
            obj=code,
            before=before,
            after=after,
            reason=rationale,
        )
        _version_create(codebook=codebook, actor=actor, rationale=rationale or f"Changed code {code.name!r}.")
    return code


def codebook_import_tree(
    *, codebook: Codebook, actor, tree: list[dict[str, Any]], rationale: str
) -> CodebookVersion:
    """Add a whole tree of codes (``[{"name", ..., "children": [...]}]``) as one new version."""
    with transaction.atomic():
        codebook = _lock(codebook)
        _require_rationale(codebook, rationale)

        def add(nodes: list[dict[str, Any]], parent: Code | None) -> None:
            for node in nodes:
                node = dict(node)
                children = node.pop("children", [])
                name = node.pop("name")
                fields = {k: v for k, v in node.items() if k in EDITABLE_FIELDS}
                code = _code_create(codebook=codebook, actor=actor, name=name, parent=parent, fields=fields)
                add(children, code)

        add(tree, None)
        return _version_create(codebook=codebook, actor=actor, rationale=rationale)
