"""Writes of the codebook. Every change creates a new, immutable CodebookVersion (with author, time and
rationale) holding a snapshot of every code, and writes its audit events in the same transaction."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from annotate.audit.services import audit_record, snapshot
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.core.locks import lock_row
from annotate.core.signals import any_receiver_says, send_and_collect

from .colours import next_code_colour
from .exchange import PATH_SEPARATOR, ImportRow, path_text
from .models import Code, Codebook, CodebookVersion
from .selectors import code_paths
from .signals import code_merging, codebook_in_use

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
    "guid",
    "merged_into",
    "split_from",
]
EDITABLE_FIELDS = [
    "name",
    "definition",
    "inclusion",
    "exclusion",
    "typical_example",
    "atypical_example",
    "colour",
    "is_active",
    "position",
]


def _codebook_snapshot(codebook: Codebook) -> list[dict[str, Any]]:
    return [snapshot(code, fields=CODE_FIELDS) for code in codebook.codes.order_by("id")]


def _coding_has_started(codebook: Codebook) -> bool:
    """Whether anything is coded with the codebook yet (the coding app answers: ``signals``)."""
    return any_receiver_says(codebook_in_use, sender=Codebook, codebook=codebook)


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
    return lock_row(Codebook, codebook.pk)


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
    if parent.merged_into_id is not None:
        raise ApplicationError(
            f"The code {parent.name!r} was merged into another code; nothing goes under it."
        )
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


def _validate_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ApplicationError("A code needs a name.")
    if PATH_SEPARATOR.strip() in name:
        raise ApplicationError(
            f"A code name cannot contain {PATH_SEPARATOR.strip()!r}: it separates the levels of a code's path."
        )
    return name


def _code_create(
    *, codebook: Codebook, actor, name: str, parent: Code | None, fields: dict[str, Any], reason: str = ""
) -> Code:
    name = _validate_name(name)
    _validate_parent(codebook, None, parent)
    _ensure_unique_name(codebook, name, parent, None)
    if "colour" in fields:
        _validate_colour(fields["colour"])
    else:
        fields["colour"] = next_code_colour(
            Code.objects.filter(codebook=codebook).values_list("colour", flat=True)
        )
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
        reason=reason,
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
        code = lock_row(Code, code.pk)
        before = snapshot(code, fields=CODE_FIELDS)
        unknown = set(data) - {*EDITABLE_FIELDS, "parent"}
        if unknown:
            raise ApplicationError(f"Unknown code field(s): {', '.join(sorted(unknown))}.")
        if code.merged_into_id is not None and data.get("is_active"):
            raise ApplicationError(
                f"The code {code.name!r} was merged into another code; its codings moved there, so it "
                "cannot be reactivated."
            )
        if "parent" in data:
            _validate_parent(codebook, code, data["parent"])
            if data["parent"] != code.parent and "position" not in data:
                # A moved code goes to the end of its new siblings.
                code.position = Code.objects.filter(codebook=codebook, parent=data["parent"]).count()
            code.parent = data["parent"]
        for field in EDITABLE_FIELDS:
            if field in data:
                setattr(code, field, _validate_name(data[field]) if field == "name" else data[field])
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


def _rationale_given(rationale: str, what: str) -> str:
    rationale = (rationale or "").strip()
    if not rationale:
        raise ApplicationError(f"Give a rationale for {what}.")
    return rationale


def _is_descendant(code: Code, ancestor: Code) -> bool:
    node = code.parent
    while node is not None:
        if node.pk == ancestor.pk:
            return True
        node = node.parent
    return False


def code_merge(*, code: Code, target: Code, actor, rationale: str) -> Code:
    """Merge ``code`` into ``target``: its codings, children and memos move to the target, and it is
    deactivated with ``merged_into`` set, all in one new version.

    A coding that would duplicate one the same coder already made with the target (same segment, same
    span or both segment-level) is removed instead of moved. Each moved or removed coding, each moved
    child and each moved memo gets its own audit event with before/after. Codings keep the codebook
    version they were made under.
    """
    rationale = _rationale_given(rationale, "a merge")
    with transaction.atomic():
        codebook = _lock(code.codebook)
        # Lock both codes in id order, so two opposite merges cannot deadlock.
        locked = {c.pk: c for c in Code.objects.select_for_update().filter(pk__in=[code.pk, target.pk])}
        if target.pk not in locked or locked[target.pk].codebook_id != codebook.id:
            raise ApplicationError("The target code belongs to another codebook.")
        code, target = locked[code.pk], locked[target.pk]
        if code.pk == target.pk:
            raise ApplicationError("A code cannot be merged into itself.")
        if code.merged_into_id is not None:
            raise ConflictError(f"The code {code.name!r} has already been merged into another code.")
        if not target.is_active:
            raise ApplicationError(
                f"The target {target.name!r} is deactivated; reactivate it or choose another."
            )
        if _is_descendant(target, code):
            raise ApplicationError(
                f"{target.name!r} sits under {code.name!r}; a code cannot be merged into its own descendant."
            )
        children = list(Code.objects.select_for_update().filter(parent=code).order_by("position", "id"))
        taken = set(Code.objects.filter(parent=target).exclude(pk=code.pk).values_list("name", flat=True))
        clashes = sorted(child.name for child in children if child.name in taken)
        if clashes:
            raise ConflictError(
                f"{target.name!r} already has sub-codes named {', '.join(map(repr, clashes))}; rename or merge "
                "those first.",
            )

        # What hangs on the code (codings, memos) moves to the target, each move audited by its own app.
        reason = f"Merge of {code.name!r} into {target.name!r}: {rationale}"
        moved = send_and_collect(
            code_merging, sender=Code, code=code, target=target, actor=actor, reason=reason
        )

        # Children: appended, in their order, after the target's own.
        position = Code.objects.filter(parent=target).count()
        for child in children:
            before = snapshot(child, fields=CODE_FIELDS)
            child.parent, child.position = target, position
            child.save(update_fields=["parent", "position", "updated_at"])
            position += 1
            audit_record(
                project_id=codebook.project_id,
                actor=actor,
                action="code.move",
                obj=child,
                before=before,
                after=snapshot(child, fields=CODE_FIELDS),
                reason=reason,
            )

        before = snapshot(code, fields=CODE_FIELDS)
        code.is_active, code.merged_into = False, target
        code.save(update_fields=["is_active", "merged_into", "updated_at"])
        audit_record(
            project_id=codebook.project_id,
            actor=actor,
            action="code.merge",
            obj=code,
            before=before,
            after={
                **snapshot(code, fields=CODE_FIELDS),
                "codings_moved": moved.get("codings_moved", 0),
                "codings_removed_as_duplicates": moved.get("codings_removed_as_duplicates", 0),
                "children_moved": [c.pk for c in children],
            },
            reason=rationale,
        )
        _version_create(codebook=codebook, actor=actor, rationale=rationale)
    target.refresh_from_db()
    return target


def code_split(
    *,
    code: Code,
    actor,
    new_codes: Sequence[dict[str, Any]],
    rationale: str,
    deactivate_original: bool = False,
) -> list[Code]:
    """Split ``code`` into new sub-codes (children of ``code``, each with ``split_from`` set), in one new
    version. The original keeps its codings (they stay valid at the coarser level, and coders can recode
    them into the finer codes); with ``deactivate_original`` it can no longer be applied itself."""
    rationale = _rationale_given(rationale, "a split")
    if not new_codes:
        raise ApplicationError("Name at least one new code to split into.")
    names = [str(spec.get("name", "")).strip() for spec in new_codes]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ApplicationError(f"The new codes repeat the name(s) {', '.join(map(repr, repeated))}.")
    with transaction.atomic():
        codebook = _lock(code.codebook)
        code = lock_row(Code, code.pk)
        if code.merged_into_id is not None:
            raise ApplicationError(
                f"The code {code.name!r} was merged into another code; it cannot be split."
            )
        created = []
        for spec in new_codes:
            fields = {k: v for k, v in spec.items() if k != "name"}
            unknown = set(fields) - (set(EDITABLE_FIELDS) - {"is_active", "position"})
            if unknown:
                raise ApplicationError(f"Unknown code field(s): {', '.join(sorted(unknown))}.")
            created.append(
                _code_create(
                    codebook=codebook,
                    actor=actor,
                    name=spec.get("name", ""),
                    parent=code,
                    fields={**fields, "split_from": code},
                    reason=rationale,
                )
            )
        before = snapshot(code, fields=CODE_FIELDS)
        if deactivate_original and code.is_active:
            code.is_active = False
            code.save(update_fields=["is_active", "updated_at"])
        audit_record(
            project_id=codebook.project_id,
            actor=actor,
            action="code.split",
            obj=code,
            before=before,
            after={**snapshot(code, fields=CODE_FIELDS), "split_into": [c.pk for c in created]},
            reason=rationale,
        )
        _version_create(codebook=codebook, actor=actor, rationale=rationale)
    return created


# --- exchange -----------------------------------------------------------------------------------------


def codebook_import(
    *, codebook: Codebook, actor, rows: list[ImportRow], rationale: str, source: str
) -> CodebookVersion:
    """Add the codes of an exchange file (``exchange.codebook_*_parse``) as one new version, or nothing.

    A row's parent path must be another row of the file or a code already in the codebook; no path and
    no GUID may occur twice or clash with the codebook's. Parents are created before children; siblings
    keep the file's order.
    """

    if not rows:
        raise ApplicationError("The file holds no codes.")
    with transaction.atomic():
        codebook = _lock(codebook)
        _require_rationale(codebook, rationale)
        existing = {tuple(p.split(PATH_SEPARATOR)): pk for pk, p in code_paths(codebook=codebook).items()}
        existing_guids = {str(g) for g in codebook.codes.values_list("guid", flat=True)}
        seen: dict[tuple[str, ...], str] = {}
        guids: dict[str, str] = {}
        for row in rows:
            path = path_text(row.path)
            if row.path in seen:
                raise ApplicationError(f"{row.where}: duplicate path {path!r} (also at {seen[row.path]}).")
            if row.path in existing:
                raise ApplicationError(
                    f"{row.where}: the codebook already has a code at {path!r}.", status=409
                )
            seen[row.path] = row.where
            guid = row.fields.get("guid")
            if guid is not None:
                if str(guid) in guids:
                    raise ApplicationError(
                        f"{row.where}: GUID {guid} is used twice (also at {guids[str(guid)]})."
                    )
                if str(guid) in existing_guids:
                    raise ApplicationError(
                        f"{row.where}: the codebook already has a code with GUID {guid}.", status=409
                    )
                guids[str(guid)] = row.where
        for row in rows:
            parent_path = row.path[:-1]
            if parent_path and parent_path not in seen and parent_path not in existing:
                raise ApplicationError(
                    f"{row.where}: unknown parent path {path_text(parent_path)!r} for {path_text(row.path)!r}."
                )
        created: dict[tuple[str, ...], Code] = {}
        for row in sorted(rows, key=lambda r: len(r.path)):  # stable: siblings keep the file's order
            parent_path = row.path[:-1]
            parent = None
            if parent_path:
                parent = created.get(parent_path) or Code.objects.get(pk=existing[parent_path])
            created[row.path] = _code_create(
                codebook=codebook,
                actor=actor,
                name=row.name,
                parent=parent,
                fields=dict(row.fields),
                reason=rationale,
            )
        audit_record(
            project_id=codebook.project_id,
            actor=actor,
            action="codebook.import",
            obj=codebook,
            after={"format": source, "codes": len(created)},
            reason=rationale,
        )
        return _version_create(
            codebook=codebook,
            actor=actor,
            rationale=rationale or f"Imported {len(created)} code(s) from a {source} file.",
        )


def codebook_export_record(*, codebook: Codebook, actor, file_format: str, codes: int) -> None:
    """Exports are part of the record (who took the codebook out, when, in what form)."""
    with transaction.atomic():
        audit_record(
            project_id=codebook.project_id,
            actor=actor,
            action="codebook.export",
            obj=codebook,
            after={"format": file_format, "codes": codes},
        )
