"""Writes of cases and their typed attributes, each with its audit event in the same transaction."""

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction

from annotate.audit.services import audit_record, snapshot
from annotate.core.exceptions import ApplicationError
from annotate.core.locks import lock_row
from annotate.parsing import ImportFileError, ImportLimits, ImportOptions, parse_case_attributes

from .models import AttributeDefinition, AttributeType, AttributeValue, Case


def attribute_define(
    *, project, actor, name: str, type: str, choices: list[str] | None = None
) -> AttributeDefinition:
    name = name.strip()
    if type not in AttributeType.values:
        raise ApplicationError(
            f"Unknown attribute type {type!r}; use one of {', '.join(AttributeType.values)}."
        )
    choices = [str(c) for c in (choices or [])]
    if type == AttributeType.CHOICE and not choices:
        raise ApplicationError(f"Attribute {name!r} is a choice: list its allowed values in 'choices'.")
    if type != AttributeType.CHOICE and choices:
        raise ApplicationError(f"Only choice attributes take 'choices'; {name!r} is {type}.")
    if len(set(choices)) != len(choices):
        raise ApplicationError(f"Attribute {name!r} lists a choice twice.")
    with transaction.atomic():
        if AttributeDefinition.objects.filter(project=project, name=name).exists():
            raise ApplicationError(f"The project already has an attribute called {name!r}.", status=409)
        position = AttributeDefinition.objects.filter(project=project).count()
        definition = AttributeDefinition(
            project=project, name=name, type=type, choices=choices, position=position
        )
        definition.full_clean(validate_unique=False, validate_constraints=False)
        definition.save()
        audit_record(
            project_id=project.id,
            actor=actor,
            action="attribute.create",
            obj=definition,
            after=snapshot(definition, fields=["name", "type", "choices", "position"]),
        )
    return definition


def attribute_coerce(definition: AttributeDefinition, raw: Any) -> tuple[str, Any]:
    """The value column and typed value for ``raw``; a message that names the attribute if it does not fit."""
    label = f"Attribute {definition.name!r}"
    if definition.type == AttributeType.NUMBER:
        if isinstance(raw, bool):
            raise ApplicationError(f"{label} is a number; got {raw!r}.")
        try:
            number = float(str(raw).strip()) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            raise ApplicationError(f"{label} is a number; {raw!r} is not one.") from None
        if not math.isfinite(number):
            raise ApplicationError(f"{label} must be a finite number; got {raw!r}.")
        return "number_value", number
    if definition.type == AttributeType.DATE:
        if isinstance(raw, dt.date):
            return "date_value", raw
        try:
            return "date_value", dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ApplicationError(f"{label} is a date; write {raw!r} as YYYY-MM-DD.") from None
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ApplicationError(f"{label} is {definition.type}; got {raw!r}.")
    text = str(raw).strip()
    if definition.type == AttributeType.CHOICE and text not in definition.choices:
        raise ApplicationError(f"{label} must be one of {', '.join(definition.choices)}; got {text!r}.")
    return "text_value", text


def _case_image(case: Case) -> dict[str, Any]:
    values = {v.attribute.name: v.value for v in case.attribute_values.select_related("attribute")}
    image = snapshot(case, fields=["identifier", "description"])
    image["attributes"] = {
        k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in sorted(values.items())
    }
    return image


def _set_attributes(case: Case, attributes: dict[str, Any]) -> None:
    definitions = {d.name: d for d in AttributeDefinition.objects.filter(project_id=case.project_id)}
    unknown = sorted(set(attributes) - set(definitions))
    if unknown:
        raise ApplicationError(f"Unknown attribute(s): {', '.join(unknown)}; define them first.")
    for name, raw in attributes.items():
        definition = definitions[name]
        if raw is None or raw == "":
            AttributeValue.objects.filter(case=case, attribute=definition).delete()
            continue
        column, value = attribute_coerce(definition, raw)
        fields = {"text_value": None, "number_value": None, "date_value": None, column: value}
        AttributeValue.objects.update_or_create(case=case, attribute=definition, defaults=fields)


def case_create(
    *, project, actor, identifier: str, description: str = "", attributes: dict[str, Any] | None = None
) -> Case:
    identifier = identifier.strip()
    with transaction.atomic():
        if Case.objects.filter(project=project, identifier=identifier).exists():
            raise ApplicationError(f"The project already has a case {identifier!r}.", status=409)
        case = Case(project=project, identifier=identifier, description=description)
        case.full_clean(validate_unique=False, validate_constraints=False)
        case.save()
        _set_attributes(case, attributes or {})
        audit_record(
            project_id=project.id, actor=actor, action="case.create", obj=case, after=_case_image(case)
        )
    return case


def case_update(*, case: Case, actor, data: dict[str, Any]) -> Case:
    with transaction.atomic():
        case = lock_row(Case, case.pk)
        before = _case_image(case)
        if "identifier" in data:
            identifier = data["identifier"].strip()
            if (
                Case.objects.filter(project_id=case.project_id, identifier=identifier)
                .exclude(pk=case.pk)
                .exists()
            ):
                raise ApplicationError(f"The project already has a case {identifier!r}.", status=409)
            case.identifier = identifier
        if "description" in data:
            case.description = data["description"]
        case.full_clean(validate_unique=False, validate_constraints=False)
        case.save()
        _set_attributes(case, data.get("attributes") or {})
        after = _case_image(case)
        if after != before:
            audit_record(
                project_id=case.project_id,
                actor=actor,
                action="case.update",
                obj=case,
                before=before,
                after=after,
            )
    return case


def case_delete(*, case: Case, actor) -> None:
    with transaction.atomic():
        case = lock_row(Case, case.pk)
        if case.documents.exists():
            raise ApplicationError(
                "This case has transcripts; delete or move them before deleting the case.", status=409
            )
        audit_record(
            project_id=case.project_id, actor=actor, action="case.delete", obj=case, before=_case_image(case)
        )
        case.attribute_values.all().delete()
        case.delete()


def case_attributes_import(
    *,
    project,
    actor,
    source: BinaryIO,
    filename: str,
    column_types: Mapping[str, str],
    id_column: str = "participant_id",
    choices: Mapping[str, Sequence[str]] | None = None,
    date_format: str = "%Y-%m-%d",
) -> dict[str, Any]:
    """Create and update cases from a case-attribute CSV (participant id + typed columns): every row or none.

    Attribute columns the project does not have yet are defined (a choice column's choices: the ones given,
    or the values found in the file). An empty cell leaves the case's value for that attribute as it is, so
    a sheet with some columns blank never erases what was recorded. Each created or changed case and each
    new attribute gets its audit event, in the one transaction.
    """

    try:
        table = parse_case_attributes(
            source,
            filename,
            column_types=column_types,
            id_column=id_column,
            choices=choices,
            date_format=date_format,
            options=ImportOptions(limits=ImportLimits(**settings.INTERCODER_IMPORT_LIMITS)),
        )
    except ImportFileError as error:
        extra = {"problems": list(error.problems)} if error.problems else None
        raise ApplicationError(str(error), extra=extra) from None

    created: list[str] = []  # participant ids
    updated: list[str] = []
    unchanged: list[str] = []
    defined: list[str] = []  # attribute names
    with transaction.atomic():
        definitions = {d.name: d for d in AttributeDefinition.objects.filter(project=project)}
        for name, kind in table.column_types.items():
            definition = definitions.get(name)
            if definition is None:
                values = table.choices.get(name, []) if kind == AttributeType.CHOICE else None
                if kind == AttributeType.CHOICE and not values:
                    raise ApplicationError(
                        f"Column {name!r} is a choice but has no values; give its choices or leave it out."
                    )
                definitions[name] = attribute_define(
                    project=project, actor=actor, name=name, type=str(kind.value), choices=values
                )
                defined.append(name)
            elif definition.type != kind:
                raise ApplicationError(
                    f"Column {name!r} is imported as {kind.value}, but the project's attribute {name!r} is "
                    f"{definition.type}. Import it as {definition.type}, or rename the column."
                )
        existing = {c.identifier: c for c in Case.objects.filter(project=project)}
        for row in table.cases:
            attributes = {name: value for name, value in row.values.items() if value is not None}
            case = existing.get(row.participant_id)
            try:
                if case is None:
                    case_create(
                        project=project, actor=actor, identifier=row.participant_id, attributes=attributes
                    )
                    created.append(row.participant_id)
                    continue
                before = _case_image(case)
                case = case_update(case=case, actor=actor, data={"attributes": attributes})
                (updated if _case_image(case) != before else unchanged).append(row.participant_id)
            except ApplicationError as error:
                raise ApplicationError(
                    f"{filename}: row {row.row} ({row.participant_id}): {error.message} Nothing was imported."
                ) from None
    return {
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "attributes_defined": defined,
        "ignored_columns": table.ignored_columns,
    }
