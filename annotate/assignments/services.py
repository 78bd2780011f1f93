"""Writes of assignment plans: compute, preview and apply a plan, extend it with new transcripts, re-plan
when coders or weights change, and withdraw a transcript. Every change writes its audit event in the same
transaction. The coder's queue (claims, units, done) is the coding loop's: ``annotate.coding_loop``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypedDict

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from annotate.audit.services import audit_record
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.documents.models import Segment
from annotate.projects.models import Project

from .models import Assignment, AssignmentPlan, AssignmentStatus, PlanCoder, Unit, UnitType
from .planning import apportion, distribute, extend_sample
from .plans import (
    NO_STRATUM,
    PlanParams,
    plan_compute,
    plan_image,
    plan_params_from_body,
    plan_params_validate,
    plan_strata,
)
from .replan import replan


def assignment_plan_preview(*, project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """What applying these parameters would do, without writing anything. With a plan already applied,
    the preview is of the re-plan (only the coders and weights may change)."""
    params = plan_params_from_body(data)
    usernames = plan_params_validate(project=project, params=params)
    plan = AssignmentPlan.objects.filter(project=project).first()
    if plan is None:
        return plan_compute(project=project, params=params, usernames=usernames).summary
    _check_fixed_params(plan, params)
    with transaction.atomic():
        summary = replan(plan=plan, params=params, usernames=usernames, write=False)
    return summary


# --- applying a plan ---------------------------------------------------------------------------------


def _check_fixed_params(plan: AssignmentPlan, params: PlanParams) -> None:
    fixed = {
        "unit_type": (plan.unit_type, params.unit_type),
        "overlap": (plan.overlap, params.overlap),
        "sample_fraction": (plan.sample_fraction, params.sample_fraction),
        "stratify_by": (plan.stratify_by, params.stratify_by),
        "seed": (plan.seed, params.seed),
    }
    changed = [name for name, (old, new) in fixed.items() if old != new]
    if changed:
        raise ConflictError(
            "This project's plan is applied; only its coders and their weights can change now "
            f"(you changed {', '.join(changed)}).",
            extra={"fields": changed},
        )


def assignment_plan_apply(*, project: Project, actor, data: dict[str, Any]) -> AssignmentPlan:
    """Apply a plan, or re-plan the applied one for a changed list of coders (unstarted work only)."""
    params = plan_params_from_body(data)
    usernames = plan_params_validate(project=project, params=params)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).values("id").first()
        plan = AssignmentPlan.objects.filter(project=project).first()
        if plan is not None:
            _check_fixed_params(plan, params)
            replan(plan=plan, params=params, usernames=usernames, write=True, actor=actor)
            return plan
        draft = plan_compute(project=project, params=params, usernames=usernames)
        plan = AssignmentPlan.objects.create(
            project=project,
            unit_type=params.unit_type,
            overlap=params.overlap,
            sample_fraction=params.sample_fraction,
            stratify_by=params.stratify_by,
            seed=params.seed,
            created_by=actor,
        )
        PlanCoder.objects.bulk_create(
            PlanCoder(plan=plan, user_id=user, weight=weight, quota=draft.quotas[user])
            for user, weight in params.coders
        )
        units = Unit.objects.bulk_create(
            Unit(
                plan=plan,
                project=project,
                segment_id=u["segment_id"],
                document_id=u["document_id"],
                order=u["order"],
                planned_coders=u["planned_coders"],
                stratum=u["stratum"],
            )
            for u in draft.units
        )
        now = timezone.now()
        rows = [
            slot
            for unit in units
            for slot in _unit_slots(
                unit, [draft.slots[(unit.segment_id, n)] for n in range(unit.planned_coders)], now
            )
        ]
        Assignment.objects.bulk_create(rows, batch_size=2000)
        audit_record(
            project_id=project.id,
            actor=actor,
            action="assignment_plan.create",
            obj=plan,
            after={**plan_image(plan, list(params.coders)), "summary": draft.summary},
        )
    return plan


def _unit_slots(unit: Unit, coders: Sequence[int | None], now) -> list[Assignment]:
    """The unit's slots: slot ``n`` given to ``coders[n]`` (assigned now), or open when that is None."""
    slots = []
    for n in range(unit.planned_coders):
        coder = coders[n]
        slots.append(
            Assignment(
                project_id=unit.project_id,
                unit=unit,
                segment_id=unit.segment_id,
                order=unit.order,
                slot=n,
                coder_id=coder,
                status=AssignmentStatus.OPEN if coder is None else AssignmentStatus.ASSIGNED,
                claimed_at=None if coder is None else now,
            )
        )
    return slots


class NewSegment(TypedDict):
    """A codable segment not in the plan yet (``assignment_plan_extend``)."""

    id: int
    document_id: int
    document__case_id: int


def assignment_plan_extend(*, project_id: int, actor) -> dict[str, Any] | None:
    """Bring transcripts added after the plan was applied into it: their codable segments become units at
    the end of the queue, under the plan's own rules (overlap; the reliability sample topped up per stratum
    so that its share holds, ``planning.extend_sample``; document plans give each new transcript to the
    coders with the most fair share left, pool plans open slots and raise the quotas). Nothing already
    planned moves. Runs in the caller's transaction (``document_create`` calls it for every transcript);
    returns the extension's summary, or None when there is no plan or nothing new."""
    plan = AssignmentPlan.objects.select_for_update().filter(project_id=project_id).first()
    if plan is None:
        return None
    new: list[NewSegment] = list(
        Segment.objects.filter(document__project_id=project_id, codable=True, assignment_unit__isnull=True)
        .order_by("document__analysis_order", "document_id", "position")
        .values("id", "document_id", "document__case_id")
    )
    if not new:
        return None
    coders = {pc.user_id: pc for pc in PlanCoder.objects.select_for_update().filter(plan=plan, active=True)}
    if not coders:
        raise ApplicationError("The assignment plan has no active coders to give the new transcripts to.")
    strata = plan_strata(plan.project, plan.stratify_by)
    document_mode = plan.unit_type == UnitType.DOCUMENT
    joined: list[Unit] = []
    if document_mode:
        # Turns of a transcript already in the plan (they stopped being context) join it with its own
        # coders, so one coder still codes the whole transcript; only new transcripts are shared out.
        joined, new = _join_planned_transcripts(plan, new, active=set(coders))
        if not new:
            plan.revision += 1
            plan.save(update_fields=["revision", "updated_at"])
            summary = _extension_summary(plan, joined=joined)
            audit_record(
                project_id=project_id, actor=actor, action="assignment_plan.extend", obj=plan, after=summary
            )
            return summary
    key_of = (lambda row: row["document_id"]) if document_mode else (lambda row: row["id"])

    def stratum_of(row) -> str:
        return strata.get(row["document__case_id"], NO_STRATUM) if plan.stratify_by else ""

    new_units = list({key_of(row): stratum_of(row) for row in new}.items())
    if plan.sample_fraction is None:
        sampled = {key for key, _ in new_units} if plan.overlap > 1 else set()
    else:
        planned_units = Unit.objects.filter(plan=plan)
        existing_rows: Iterable[Mapping[str, Any]]
        if document_mode:  # a transcript's units share its width; count transcripts
            existing_rows = planned_units.values("stratum", "document_id", "planned_coders").distinct()
        else:
            existing_rows = planned_units.values("stratum", "planned_coders")
        existing: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in existing_rows:
            existing[row["stratum"]][0] += 1
            existing[row["stratum"]][1] += 1 if row["planned_coders"] > 1 else 0
        existing_pairs = {stratum: (n, k) for stratum, (n, k) in existing.items()}
        sampled = extend_sample(
            new_units, existing_pairs, plan.sample_fraction, plan.seed + plan.revision + 1
        )
    width = {key: (plan.overlap if key in sampled else 1) for key, _ in new_units}
    stratum_of_unit = dict(new_units)

    weights = {user: pc.weight for user, pc in coders.items()}
    active = sorted(weights)
    chosen: dict[tuple[int, int], int] = {}
    if document_mode:
        held: defaultdict[int, int] = defaultdict(int)  # document slots per coder, as the plan balances them
        for held_row in (
            Assignment.objects.filter(project_id=project_id, coder_id__in=active)
            .values("coder_id", "unit__document_id", "slot")
            .distinct()
        ):
            held[held_row["coder_id"]] += 1
        new_slots = [(doc, slot) for doc, _ in new_units for slot in range(width[doc])]
        total = sum(held.values()) + len(new_slots)
        shares = apportion(total, [weights[u] for u in active], [held[u] for u in active])
        left = {user: share - held[user] for user, share in zip(active, shares, strict=True)}
        chosen = distribute(new_slots, left, seed=plan.seed + plan.revision + 1)
    start = (Unit.objects.filter(plan=plan).aggregate(m=Max("order"))["m"] or 0) + 1
    units = Unit.objects.bulk_create(
        Unit(
            plan=plan,
            project_id=project_id,
            segment_id=row["id"],
            document_id=row["document_id"],
            order=start + i,
            planned_coders=width[key_of(row)],
            stratum=stratum_of_unit[key_of(row)],
        )
        for i, row in enumerate(new)
    )
    now = timezone.now()
    rows = [
        slot
        for unit, row in zip(units, new, strict=True)
        for slot in _unit_slots(unit, [chosen.get((key_of(row), n)) for n in range(unit.planned_coders)], now)
    ]
    Assignment.objects.bulk_create(rows, batch_size=2000)
    per_coder = Counter(slot.coder_id for slot in rows if slot.coder_id is not None)
    if not document_mode:  # pool quotas grow with the pool: floor(fair share) + 1, never below what is held
        total_slots = Assignment.objects.filter(project_id=project_id).count()
        held_slots = dict(
            Assignment.objects.filter(project_id=project_id, coder_id__in=active)
            .values_list("coder_id")
            .annotate(n=Count("id"))
        )
        total_weight = sum(weights.values())
        for user, pc in coders.items():
            pc.quota = max(held_slots.get(user, 0), int(total_slots * pc.weight / total_weight) + 1)
            pc.save(update_fields=["quota"])
    plan.revision += 1
    plan.save(update_fields=["revision", "updated_at"])
    summary = {
        "revision": plan.revision,
        "documents": sorted({row["document_id"] for row in new}),
        "units": len(new_units),
        "segments": len(new),
        "double_coded_units": sorted(int(key) for key in sampled),
        "per_coder": [{"user": user, "segments": per_coder[user]} for user in active if per_coder[user]],
        "open_slots": sum(1 for slot in rows if slot.coder_id is None),
    }
    if joined:
        summary = {**summary, **_extension_summary(plan, joined=joined, segments=len(new) + len(joined))}
    audit_record(project_id=project_id, actor=actor, action="assignment_plan.extend", obj=plan, after=summary)
    return summary


def _join_planned_transcripts(
    plan: AssignmentPlan, new: list[NewSegment], *, active: set[int]
) -> tuple[list[Unit], list[NewSegment]]:
    """Segments of transcripts that already have units in a document plan get their own units at the end
    of the queue, with the transcript's width and stratum, each slot held by the coder who holds that slot
    of the transcript. A transcript a slot of which no active coder holds is left to be shared out as a new
    one. Returns the units made and the rows left over."""
    documents = {row["document_id"] for row in new}
    planned = {
        row["document_id"]: row
        for row in Unit.objects.filter(plan=plan, document_id__in=documents)
        .values("document_id")
        .annotate(width=Max("planned_coders"), stratum=Max("stratum"))
    }
    holders: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    for document_id, slot, coder in Assignment.objects.filter(
        unit__plan=plan, unit__document_id__in=planned, coder__isnull=False
    ).values_list("unit__document_id", "slot", "coder_id"):
        holders[(document_id, slot)][coder] += 1

    def holder(document_id: int, slot: int) -> int | None:
        counts = holders.get((document_id, slot))
        return counts.most_common(1)[0][0] if counts else None

    planned = {
        document_id: row
        for document_id, row in planned.items()
        if all(holder(document_id, n) in active for n in range(row["width"]))
    }
    joining = [row for row in new if row["document_id"] in planned]
    if not joining:
        return [], new
    start = (Unit.objects.filter(plan=plan).aggregate(m=Max("order"))["m"] or 0) + 1
    units = Unit.objects.bulk_create(
        Unit(
            plan=plan,
            project_id=plan.project_id,
            segment_id=row["id"],
            document_id=row["document_id"],
            order=start + i,
            planned_coders=planned[row["document_id"]]["width"],
            stratum=planned[row["document_id"]]["stratum"],
        )
        for i, row in enumerate(joining)
    )
    now = timezone.now()
    Assignment.objects.bulk_create(
        [
            slot
            for unit in units
            for slot in _unit_slots(
                unit, [holder(unit.document_id, n) for n in range(unit.planned_coders)], now
            )
        ],
        batch_size=2000,
    )
    return units, [row for row in new if row["document_id"] not in planned]


def _extension_summary(
    plan: AssignmentPlan, *, joined: list[Unit], segments: int | None = None
) -> dict[str, Any]:
    """What an extension of a document plan did with turns of transcripts already in it."""
    return {
        "revision": plan.revision,
        "segments": len(joined) if segments is None else segments,
        "joined": {
            "documents": sorted({unit.document_id for unit in joined}),
            "segments": [unit.segment_id for unit in joined],
        },
    }


def assignment_plan_withdraw_document(*, document) -> int:
    """Take a transcript that is about to be deleted out of the plan: its units and their assignments go,
    as long as no coder has finished any of them (a finished unit is a rating, even with no codes: 409).
    Returns how many units it had. Runs in the caller's transaction."""
    units = Unit.objects.filter(document=document)
    assignments = Assignment.objects.select_for_update().filter(unit__document=document)
    if assignments.filter(status=AssignmentStatus.DONE).exists():
        raise ApplicationError(
            "A coder has finished part of this transcript (an empty set of codes is a rating too); "
            "it cannot be deleted.",
            status=409,
        )
    count = units.count()
    assignments.delete()
    units.delete()
    return count


def assignment_work_release(*, project_id: int, user, actor, reason: str, leaves_plan: bool) -> int:
    """Return a coder's unfinished units (assigned or claimed, not done) to the plan as open slots: pool
    plans hand them to the next coder who asks, a re-plan distributes them in document plans. Done units
    and every coding stay. ``leaves_plan``: the coder is no longer a member, so they leave the plan too.
    Runs in the caller's transaction; returns how many units were released."""
    plan = AssignmentPlan.objects.filter(project_id=project_id).first()
    if plan is None:
        return 0
    slots = list(
        Assignment.objects.select_for_update()
        .filter(project_id=project_id, coder=user, status=AssignmentStatus.ASSIGNED)
        .values_list("id", flat=True)
    )
    Assignment.objects.filter(id__in=slots).update(
        coder=None, status=AssignmentStatus.OPEN, claimed_at=None, last_activity_at=None
    )
    left = leaves_plan and PlanCoder.objects.filter(plan=plan, user=user, active=True).update(active=False)
    if slots or left:
        audit_record(
            project_id=project_id,
            actor=actor,
            action="assignment_plan.release",
            obj=plan,
            before={"coder": user.pk, "assignments": slots},
            after={"coder": user.pk, "released": len(slots), "left_plan": bool(left)},
            reason=reason,
        )
    return len(slots)
