"""Writes of the adjudicated coding. Every decision writes its audit event in the same transaction (a bulk
action: one per decision), and a refused request writes nothing.

Locking: a decision locks its unit, then the unit's assignment slots (``unit_ratings(lock=True)``), so a
coder cannot reopen a unit while it is being decided (``assignment_reopen`` locks the slot and then reads
``Unit.adjudicated_at`` afresh), and two adjudicators deciding one unit queue: the second sees the first's
decision and is told to revise it instead (409). The partial unique index "one current decision per unit"
backs this up in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from annotate.assignments.models import Assignment, Unit
from annotate.audit.services import audit_record, audit_record_many
from annotate.codebook.models import Code
from annotate.coding.models import Coding
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.documents.models import Segment
from annotate.projects.models import Membership
from annotate.projects.permissions import ANALYSTS

from .models import AdjudicationSettings, Decision, FinalCoding, Method, Provenance
from .selectors import (
    KIND_DISAGREEMENT,
    KIND_SINGLE,
    KIND_UNANIMOUS,
    Element,
    UnitRatings,
    adjudication_settings_get,
    coder_label,
    unit_ratings,
)

MAX_FINAL_CODINGS = 500
BULK_KINDS = (KIND_UNANIMOUS, "majority", KIND_SINGLE)


@dataclass(frozen=True)
class FinalSpec:
    """One code of a final set written by the adjudicator: segment-level (``span`` None) or on a span."""

    code_id: int
    span: tuple[int, int] | None = None

    @property
    def element(self) -> Element:
        start, end = self.span if self.span is not None else (None, None)
        return (self.code_id, start, end)


def decision_image(decision: Decision, final: frozenset[Element] | set[Element]) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "unit": decision.unit_id,
        "segment": decision.segment_id,
        "provenance": decision.provenance,
        "method": decision.method,
        "adjudicator": decision.adjudicator_id,
        "accepted_coder": decision.accepted_coder_id,
        "agreed_with": decision.agreed_with,
        "coders": decision.coders,
        "rationale": decision.rationale,
        "supersedes": decision.supersedes_id,
        "final": [list(e) for e in sorted(final, key=_sort_key)],
    }


def _sort_key(element: Element) -> tuple[int, int, int]:
    code, start, end = element
    return (code, -1 if start is None else start, -1 if end is None else end)


def _final_codings(decision: Decision, final: frozenset[Element]) -> list[FinalCoding]:
    return [
        FinalCoding(
            decision=decision,
            project_id=decision.project_id,
            segment_id=decision.segment_id,
            code_id=code,
            span_start=start,
            span_end=end,
        )
        for code, start, end in sorted(final, key=_sort_key)
    ]


# --- one unit ----------------------------------------------------------------------------------------


def _resolve_coder(unit: UnitRatings, coder: str | int | None, *, names_hidden: bool) -> int:
    """The coder named by their label ("A", as the unit view shows them) or, when names are shown, id."""
    if coder is None or str(coder).strip() == "":
        raise ApplicationError("Name the coder whose version you accept ('coder': 'A', 'B', …).")
    text = str(coder).strip().upper()
    labels = {coder_label(i): user for i, user in enumerate(unit.coders)}
    if text.removeprefix("CODER ").strip() in labels:
        return labels[text.removeprefix("CODER ").strip()]
    if text.isdigit() and not names_hidden and int(text) in unit.sets:
        return int(text)
    raise ApplicationError(
        f"{coder!r} is not one of this unit's coders; use one of {sorted(labels)}.",
        extra={"coders": sorted(labels)},
    )


def _check_custom(
    *, project_id: int, segment: Segment, specs: list[FinalSpec], unit: UnitRatings
) -> frozenset[Element]:
    if len(specs) > MAX_FINAL_CODINGS:
        raise ApplicationError(f"A final set holds at most {MAX_FINAL_CODINGS} codings.")
    elements = [spec.element for spec in specs]
    if len(set(elements)) != len(elements):
        raise ApplicationError("The same code (on the same span) is listed twice.")
    for spec in specs:
        if spec.span is None:
            continue
        start, end = spec.span
        if not (segment.start_offset <= start < end <= segment.end_offset):
            raise ApplicationError(
                f"The span [{start}, {end}) must lie inside the segment "
                f"[{segment.start_offset}, {segment.end_offset}) and not be empty."
            )
    code_ids = {spec.code_id for spec in specs}
    found = dict(
        Code.objects.filter(id__in=code_ids, codebook__project_id=project_id).values_list("id", "is_active")
    )
    missing = sorted(code_ids - set(found))
    if missing:
        raise ApplicationError(
            f"Codes {missing} are not in this project's codebook.", extra={"codes": missing}
        )
    # A deactivated code may stay in the final set only if a coder applied it here.
    inactive = sorted(c for c in code_ids if not found[c] and c not in unit.codes_involved)
    if inactive:
        raise ApplicationError(
            f"Codes {inactive} are deactivated and no coder applied them here.", extra={"codes": inactive}
        )
    return frozenset(elements)


def _coded_by(*, project_id: int, unit: UnitRatings, user_id: int) -> bool:
    """The user held a slot of the unit, or has codings on its segment (an owner coding off-plan)."""
    return (
        Assignment.objects.filter(unit_id=unit.unit_id, coder_id=user_id).exists()
        or Coding.objects.filter(project_id=project_id, segment_id=unit.segment_id, coder_id=user_id).exists()
    )


@transaction.atomic
def decision_decide(
    *,
    project_id: int,
    actor,
    segment_id: int,
    method: str,
    coder: str | int | None = None,
    codings: list[FinalSpec] | None = None,
    rationale: str = "",
    supersedes: int | None = None,
) -> Decision:
    """Decide a ready unit's final set, or revise its current decision (``supersedes`` = that decision's
    id). ``method``: accept_coder (with ``coder``), union, intersection, or custom (with ``codings``).
    The rationale is required when the final set equals no coder's set."""
    membership = (
        Membership.objects.select_related("project").filter(project_id=project_id, user=actor).first()
    )
    if membership is None or membership.role not in ANALYSTS:
        raise ApplicationError("Only adjudicators and owners of this project can adjudicate.", status=403)
    if method not in (Method.ACCEPT_CODER, Method.UNION, Method.INTERSECTION, Method.CUSTOM):
        raise ApplicationError(f"Unknown method {method!r}; use accept_coder, union, intersection or custom.")
    if method != Method.CUSTOM and codings:
        raise ApplicationError("Codings are given only with method 'custom'.")
    if method != Method.ACCEPT_CODER and coder not in (None, ""):
        raise ApplicationError("A coder is named only with method 'accept_coder'.")
    rationale = (rationale or "").strip()

    units = unit_ratings(project_id=project_id, segment_ids=[segment_id], ready_only=False, lock=True)
    if not units:
        raise ApplicationError("This segment is not a unit of the project's assignment plan.", status=404)
    unit = units[0]
    if not unit.ready:
        raise ConflictError(
            f"This unit is not ready: {len(unit.coders)} of its {unit.planned_coders} coders are done.",
            extra={"done": len(unit.coders), "planned": unit.planned_coders},
        )
    settings = adjudication_settings_get(project_id=project_id)
    if not settings.adjudicator_may_adjudicate_own_units and _coded_by(
        project_id=project_id, unit=unit, user_id=actor.pk
    ):
        raise ApplicationError(
            "You coded this unit, so you may not adjudicate it (the project's settings can allow this).",
            status=403,
        )

    current = Decision.objects.filter(unit_id=unit.unit_id, is_current=True).first()
    if current is not None and supersedes != current.pk:
        raise ConflictError(
            f"This unit has been decided (decision {current.pk}); to revise it, send supersedes={current.pk}.",
            extra={"current_decision": current.pk},
        )
    if current is None and supersedes is not None:
        raise ConflictError(f"Decision {supersedes} is not this unit's current decision; it has none.")

    accepted = None
    sets = [unit.sets[c] for c in unit.coders]
    if method == Method.ACCEPT_CODER:
        accepted = _resolve_coder(unit, coder, names_hidden=settings.hide_coder_names)
        final = unit.sets[accepted]
    elif method == Method.UNION:
        final = frozenset().union(*sets)
    elif method == Method.INTERSECTION:
        final = frozenset.intersection(*sets)
    else:
        if codings is None:
            raise ApplicationError(
                "Method 'custom' needs the final set: 'codings' (an empty list: none apply)."
            )
        segment = Segment.objects.get(pk=unit.segment_id)
        final = _check_custom(project_id=project_id, segment=segment, specs=codings, unit=unit)
    agreed = unit.agreeing(final)
    if not agreed and not rationale:
        raise ApplicationError(
            "The final set differs from every coder's set: give a rationale.", extra={"field": "rationale"}
        )

    now = timezone.now()
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    decision = Decision.objects.create(
        project_id=project_id,
        unit_id=unit.unit_id,
        segment_id=unit.segment_id,
        adjudicator=actor,
        decided_by=actor,
        provenance=Provenance.ADJUDICATED,
        method=method,
        accepted_coder_id=accepted,
        agreed_with=agreed,
        coders=sorted(unit.coders),
        rationale=rationale,
        supersedes=current,
        is_current=True,
        created_at=now,
    )
    FinalCoding.objects.bulk_create(_final_codings(decision, final))
    Unit.objects.filter(pk=unit.unit_id, adjudicated_at__isnull=True).update(adjudicated_at=now)
    before = None
    if current is not None:
        previous = {(f.code_id, f.span_start, f.span_end) for f in current.final_codings.all()}
        before = decision_image(current, previous)
    audit_record(
        project_id=project_id,
        actor=actor,
        action="adjudication.decision.revise" if current is not None else "adjudication.decision.create",
        obj=decision,
        before=before,
        after=decision_image(decision, final),
        reason=rationale,
    )
    return decision


# --- bulk --------------------------------------------------------------------------------------------


@dataclass
class BulkPlan:
    kind: str
    m: int | None
    decisions: list[tuple[UnitRatings, frozenset[Element]]]
    skipped: dict[str, int]

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "m": self.m,
            "units": len(self.decisions),
            "final_codings": sum(len(final) for _, final in self.decisions),
            "skipped": self.skipped,
        }


def _bulk_check(kind: str, m: int | None) -> None:
    if kind not in BULK_KINDS:
        raise ApplicationError(f"Unknown bulk action {kind!r}; use unanimous, majority or single_coded.")
    if kind == "majority":
        if m is None:
            raise ApplicationError("A majority needs m: the least number of coders who must agree.")
        if m < 2:
            raise ApplicationError("m must be at least 2: one coder alone is no majority.")
    elif m is not None:
        raise ApplicationError("m applies only to the majority action.")


def _bulk_plan(*, project_id: int, kind: str, m: int | None, lock: bool) -> BulkPlan:
    """What a bulk action decides, unit by unit: ready units without a current decision of the kind.
    The majority action takes units the coders disagree on (unanimous ones have their own action), and
    the set at least ``m`` of them hold; it skips units with fewer than m coders, with no such set, or
    (m at most half the coders) with two such sets."""
    skipped = {"already_decided": 0, "fewer_coders_than_m": 0, "no_majority": 0, "tied": 0}
    decisions = []
    source = KIND_DISAGREEMENT if kind == "majority" else kind
    for unit in unit_ratings(project_id=project_id, lock=lock):
        if unit.kind != source:
            continue
        if unit.current_decision_id is not None:
            skipped["already_decided"] += 1
            continue
        if kind == "majority":
            assert m is not None
            if len(unit.coders) < m:
                skipped["fewer_coders_than_m"] += 1
                continue
            final, why = unit.majority(m)
            if final is None:
                skipped[why] += 1
                continue
        else:
            final = unit.sets[unit.coders[0]]
        decisions.append((unit, final))
    if kind != "majority":
        skipped = {"already_decided": skipped["already_decided"]}
    return BulkPlan(kind=kind, m=m, decisions=decisions, skipped=skipped)


def _check_analyst(*, project_id: int, actor) -> None:
    role = Membership.objects.filter(project_id=project_id, user=actor).values_list("role", flat=True).first()
    if role not in ANALYSTS:
        raise ApplicationError("Only adjudicators and owners of this project can adjudicate.", status=403)


def decision_bulk_preview(*, project_id: int, actor, kind: str, m: int | None = None) -> dict[str, Any]:
    """The counts a bulk action would give, without writing anything."""
    _check_analyst(project_id=project_id, actor=actor)
    _bulk_check(kind, m)
    return _bulk_plan(project_id=project_id, kind=kind, m=m, lock=False).summary()


_BULK = {
    KIND_UNANIMOUS: (Provenance.UNANIMOUS, Method.UNANIMOUS),
    "majority": (Provenance.MAJORITY, Method.MAJORITY),
    KIND_SINGLE: (Provenance.SINGLE_CODED, Method.SINGLE),
}


@transaction.atomic
def decision_bulk_apply(*, project_id: int, actor, kind: str, m: int | None = None) -> dict[str, Any]:
    """Decide every unit the preview counts (recomputed under lock, so it is what is written), one audit
    event per decision. Bulk decisions carry no adjudicator: the set is the coders'; ``decided_by`` and the
    audit events name who accepted it."""
    _check_analyst(project_id=project_id, actor=actor)
    _bulk_check(kind, m)
    plan = _bulk_plan(project_id=project_id, kind=kind, m=m, lock=True)
    provenance, method = _BULK[kind]
    now = timezone.now()
    decisions = Decision.objects.bulk_create(
        Decision(
            project_id=project_id,
            unit_id=unit.unit_id,
            segment_id=unit.segment_id,
            adjudicator=None,
            decided_by=actor,
            provenance=provenance,
            method=method,
            agreed_with=unit.agreeing(final),
            coders=sorted(unit.coders),
            rationale="",
            is_current=True,
            created_at=now,
        )
        for unit, final in plan.decisions
    )
    FinalCoding.objects.bulk_create(
        [
            coding
            for decision, (_, final) in zip(decisions, plan.decisions, strict=True)
            for coding in _final_codings(decision, final)
        ],
        batch_size=2000,
    )
    Unit.objects.filter(
        pk__in=[unit.unit_id for unit, _ in plan.decisions], adjudicated_at__isnull=True
    ).update(adjudicated_at=now)
    reason = f"bulk: {kind}" + (f" (m = {m})" if m is not None else "")
    audit_record_many(
        project_id=project_id,
        events=[
            {
                "actor": actor,
                "action": f"adjudication.decision.bulk_{kind}",
                "obj": decision,
                "after": decision_image(decision, final),
                "reason": reason,
            }
            for decision, (_, final) in zip(decisions, plan.decisions, strict=True)
        ],
    )
    return plan.summary()


# --- settings ----------------------------------------------------------------------------------------


@transaction.atomic
def adjudication_settings_update(*, project_id: int, actor, data: dict[str, bool]) -> AdjudicationSettings:
    settings, _ = AdjudicationSettings.objects.select_for_update().get_or_create(project_id=project_id)
    fields = ["hide_coder_names", "adjudicator_may_adjudicate_own_units"]
    before = {name: getattr(settings, name) for name in fields}
    for name in fields:
        if name in data:
            setattr(settings, name, bool(data[name]))
    after = {name: getattr(settings, name) for name in fields}
    if after != before:
        settings.save()
        audit_record(
            project_id=project_id,
            actor=actor,
            action="adjudication.settings.update",
            obj=settings,
            before=before,
            after=after,
        )
    return settings
