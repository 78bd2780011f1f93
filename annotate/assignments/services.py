"""Writes of assignment plans and of a coder's queue. Every change writes its audit event in the same
transaction.

Claim design (pool plans): every unit's slots exist from the moment the plan is applied (status ``open``,
no coder), so "never more coders than planned" is structural (and a trigger refuses a slot beyond the
plan). A claim takes the first open slot in queue order of a unit the coder does not already hold, with
``SELECT … FOR UPDATE SKIP LOCKED``: concurrent claimers never wait for, nor take, the same row. A
coder's own claims are serialised by a lock on their ``PlanCoder`` row (which also carries their quota),
so a double-clicked "next" cannot give one coder two slots. A claim is renewed by every change the coder
makes on the unit; one untouched for ``INTERCODER_CLAIM_TIMEOUT_S`` may be taken by the next claimer
(the audit event names the coder who lost it). On SQLite (the embedded default) ``FOR UPDATE`` is not
available and not needed: the app's transactions are IMMEDIATE, so writers are serialised.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from annotate.audit.services import audit_record, audit_record_after, audit_record_then
from annotate.cases.models import AttributeDefinition, AttributeValue
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.core.models import JobStatus
from annotate.core.sql import constant, db_datetime, db_datetime_param, execute_batch, for_update
from annotate.documents.models import Segment
from annotate.projects.models import Membership, Project
from annotate.projects.permissions import CODERS

from .models import Assignment, AssignmentPlan, AssignmentStatus, PlanCoder, Unit, UnitType
from .planning import apportion, distribute, extend_sample, stratified_sample

NO_STRATUM = "(none)"

# SQL literals for the hand-written statements of the coding loop (``annotate.core.sql.constant``).
OPEN, ASSIGNED, DONE = (
    constant(s) for s in (AssignmentStatus.OPEN, AssignmentStatus.ASSIGNED, AssignmentStatus.DONE)
)
SEGMENT = constant(UnitType.SEGMENT)


@dataclass(frozen=True)
class PlanParams:
    unit_type: str
    coders: tuple[tuple[int, float], ...]  # (user id, weight)
    overlap: int = 1
    sample_fraction: float | None = None
    stratify_by: str = ""
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_type": self.unit_type,
            "coders": [{"user": user, "weight": weight} for user, weight in self.coders],
            "overlap": self.overlap,
            "sample_fraction": self.sample_fraction,
            "stratify_by": self.stratify_by,
            "seed": self.seed,
        }


@dataclass
class PlanDraft:
    """A computed plan: per segment its planned coders and stratum; per (segment, slot) its coder."""

    units: list[dict[str, Any]] = field(default_factory=list)
    slots: dict[tuple[int, int], int | None] = field(default_factory=dict)
    quotas: dict[int, int] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


# --- validation --------------------------------------------------------------------------------------


def _validate_params(*, project: Project, params: PlanParams) -> dict[int, str]:
    """Check the parameters; return the coders' usernames by id."""
    if params.unit_type not in UnitType.values:
        raise ApplicationError(
            f"Unknown unit of assignment {params.unit_type!r}; use 'document' or 'segment'."
        )
    if not params.coders:
        raise ApplicationError("A plan needs at least one coder.")
    ids = [user for user, _ in params.coders]
    if len(set(ids)) != len(ids):
        raise ApplicationError("A coder is listed twice.")
    if any(not (weight > 0) or weight > 1000 for _, weight in params.coders):
        raise ApplicationError("Weights must be positive numbers (at most 1000).")
    if params.overlap < 1:
        raise ApplicationError("Overlap (coders per unit) must be at least 1.")
    if params.overlap > len(ids):
        raise ApplicationError(
            f"Overlap {params.overlap} needs at least {params.overlap} coders; the plan has {len(ids)}."
        )
    if params.sample_fraction is not None and not (0 < params.sample_fraction <= 1):
        raise ApplicationError("The sample fraction must be in (0, 1], e.g. 0.2 for 20%.")
    if params.stratify_by and params.sample_fraction is None:
        raise ApplicationError("Stratification applies to a reliability sample; give a sample fraction.")
    if (
        params.stratify_by
        and not AttributeDefinition.objects.filter(project=project, name=params.stratify_by).exists()
    ):
        raise ApplicationError(f"This project has no case attribute called {params.stratify_by!r}.")
    members = dict(
        Membership.objects.filter(project=project, user_id__in=ids, role__in=CODERS).values_list(
            "user_id", "user__username"
        )
    )
    missing = [user for user in ids if user not in members]
    if missing:
        raise ApplicationError(
            f"Users {missing} are not coders, adjudicators or owners of this project.",
            extra={"users": missing},
        )
    return members


# --- computing a plan --------------------------------------------------------------------------------


def _codable_segments(project: Project) -> list[dict[str, Any]]:
    return list(
        Segment.objects.filter(document__project=project, codable=True)
        .order_by("document__analysis_order", "document_id", "position")
        .values("id", "document_id", "document__case_id", "document__title")
    )


def _strata(project: Project, attribute: str) -> dict[int, str]:
    """case id → the case's value of the attribute, as text."""
    if not attribute:
        return {}
    values = AttributeValue.objects.filter(case__project=project, attribute__name=attribute).values(
        "case_id", "text_value", "number_value", "date_value"
    )
    result = {}
    for row in values:
        value = next(v for v in (row["text_value"], row["number_value"], row["date_value"]) if v is not None)
        result[row["case_id"]] = str(value)
    return result


def plan_compute(*, project: Project, params: PlanParams, usernames: dict[int, str]) -> PlanDraft:
    """The plan for the project's codable segments as they stand (reads only)."""
    segments = _codable_segments(project)
    if not segments:
        raise ApplicationError(
            "This project has no codable segments to assign yet; import transcripts first."
        )
    strata_by_case = _strata(project, params.stratify_by)

    def stratum_of(row) -> str:
        return strata_by_case.get(row["document__case_id"], NO_STRATUM) if params.stratify_by else ""

    document_mode = params.unit_type == UnitType.DOCUMENT
    # The units of assignment (documents or segments), in queue order, with their stratum.
    if document_mode:
        seen: dict[int, str] = {}
        for row in segments:
            seen.setdefault(row["document_id"], stratum_of(row))
        plan_units = list(seen.items())
    else:
        plan_units = [(row["id"], stratum_of(row)) for row in segments]

    if params.sample_fraction is None:
        sampled = {key for key, _ in plan_units} if params.overlap > 1 else set()
        by_stratum: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for key, stratum in plan_units:
            by_stratum[stratum][0] += 1
            by_stratum[stratum][1] += 1 if key in sampled else 0
        strata_summary = {s: tuple(v) for s, v in by_stratum.items()}
    else:
        sampled, strata_summary = stratified_sample(plan_units, params.sample_fraction, params.seed)
    width = {key: (params.overlap if key in sampled else 1) for key, _ in plan_units}

    coder_ids = [user for user, _ in params.coders]
    weights = [weight for _, weight in params.coders]
    total_slots = sum(width.values())
    shares = dict(zip(coder_ids, apportion(total_slots, weights), strict=True))
    draft = PlanDraft()
    if document_mode:
        doc_slots = [(doc, slot) for doc, _ in plan_units for slot in range(width[doc])]
        chosen = distribute(doc_slots, shares, seed=params.seed)
        draft.quotas = shares
    else:
        chosen = {}
        total_weight = sum(weights)
        # A pool coder may hold at most floor(fair share) + 1 slots: never more than one over their share,
        # with slack enough that the last units of the pool can always be completed.
        draft.quotas = {user: int(total_slots * weight / total_weight) + 1 for user, weight in params.coders}
    stratum_of_unit = dict(plan_units)
    segment_count: dict[int, int] = defaultdict(int)
    for order, row in enumerate(segments, start=1):
        key = row["document_id"] if document_mode else row["id"]
        draft.units.append(
            {
                "segment_id": row["id"],
                "document_id": row["document_id"],
                "order": order,
                "planned_coders": width[key],
                "stratum": stratum_of_unit[key],
            }
        )
        for slot in range(width[key]):
            coder = chosen.get((key, slot))
            draft.slots[(row["id"], slot)] = coder
            if coder is not None:
                segment_count[coder] += 1

    unit_counts: dict[int, int] = defaultdict(int)
    for (_, _slot), coder in chosen.items():
        unit_counts[coder] += 1
    per_coder = []
    for user, weight in params.coders:
        per_coder.append(
            {
                "user": user,
                "username": usernames.get(user, ""),
                "weight": weight,
                "fair_share": round(total_slots * weight / sum(weights), 3),
                # Document plans: the documents (and their segments) this coder is given. Pool plans: the
                # expected number of segments, and the cap on what they may claim.
                "units": unit_counts[user] if document_mode else shares[user],
                "segments": segment_count[user] if document_mode else shares[user],
                "quota": draft.quotas[user],
            }
        )
    n_units = len(plan_units)
    draft.summary = {
        "unit_type": params.unit_type,
        "units": n_units,
        "segments": len(segments),
        "slots": total_slots,
        "double_coded_units": sum(1 for key, _ in plan_units if width[key] > 1),
        "double_coded_share": round(sum(1 for key, _ in plan_units if width[key] > 1) / n_units, 4),
        "per_coder": per_coder,
        "per_stratum": [
            {"stratum": s, "units": total, "double_coded": picked}
            for s, (total, picked) in sorted(strata_summary.items())
        ],
        "double_coded": sorted(int(key) for key in sampled),
    }
    return draft


def _params_from_body(data: dict[str, Any]) -> PlanParams:
    return PlanParams(
        unit_type=data["unit_type"],
        coders=tuple((int(c["user"]), float(c.get("weight", 1.0))) for c in data["coders"]),
        overlap=int(data.get("overlap", 1)),
        sample_fraction=data.get("sample_fraction"),
        stratify_by=data.get("stratify_by") or "",
        seed=int(data.get("seed", 0)),
    )


def assignment_plan_preview(*, project: Project, data: dict[str, Any]) -> dict[str, Any]:
    """What applying these parameters would do, without writing anything. With a plan already applied,
    the preview is of the re-plan (only the coders and weights may change)."""
    params = _params_from_body(data)
    usernames = _validate_params(project=project, params=params)
    plan = AssignmentPlan.objects.filter(project=project).first()
    if plan is None:
        return plan_compute(project=project, params=params, usernames=usernames).summary
    _check_fixed_params(plan, params)
    with transaction.atomic():
        summary = _replan(plan=plan, params=params, usernames=usernames, write=False)
    return summary


# --- applying a plan ---------------------------------------------------------------------------------


def _plan_image(plan: AssignmentPlan, coders: list[tuple[int, float]]) -> dict[str, Any]:
    return {
        "unit_type": plan.unit_type,
        "overlap": plan.overlap,
        "sample_fraction": plan.sample_fraction,
        "stratify_by": plan.stratify_by,
        "seed": plan.seed,
        "revision": plan.revision,
        "coders": [{"user": user, "weight": weight} for user, weight in coders],
    }


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
    params = _params_from_body(data)
    usernames = _validate_params(project=project, params=params)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).values("id").first()
        plan = AssignmentPlan.objects.filter(project=project).first()
        if plan is not None:
            _check_fixed_params(plan, params)
            _replan(plan=plan, params=params, usernames=usernames, write=True, actor=actor)
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
            for slot in _unit_slots(unit, lambda n, unit=unit: draft.slots[(unit.segment_id, n)], now)
        ]
        Assignment.objects.bulk_create(rows, batch_size=2000)
        audit_record(
            project_id=project.id,
            actor=actor,
            action="assignment_plan.create",
            obj=plan,
            after={**_plan_image(plan, list(params.coders)), "summary": draft.summary},
        )
    return plan


def _unit_slots(unit: Unit, coder_of: Callable[[int], int | None], now) -> list[Assignment]:
    """The unit's slots: each given to ``coder_of(slot)`` (assigned now), or open when that is None."""
    slots = []
    for n in range(unit.planned_coders):
        coder = coder_of(n)
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
    new = list(
        Segment.objects.filter(document__project_id=project_id, codable=True, assignment_unit__isnull=True)
        .order_by("document__analysis_order", "document_id", "position")
        .values("id", "document_id", "document__case_id")
    )
    if not new:
        return None
    coders = {pc.user_id: pc for pc in PlanCoder.objects.select_for_update().filter(plan=plan, active=True)}
    if not coders:
        raise ApplicationError("The assignment plan has no active coders to give the new transcripts to.")
    strata = _strata(plan.project, plan.stratify_by)
    document_mode = plan.unit_type == UnitType.DOCUMENT
    key_of = (lambda row: row["document_id"]) if document_mode else (lambda row: row["id"])

    def stratum_of(row) -> str:
        return strata.get(row["document__case_id"], NO_STRATUM) if plan.stratify_by else ""

    new_units = list({key_of(row): stratum_of(row) for row in new}.items())
    if plan.sample_fraction is None:
        sampled = {key for key, _ in new_units} if plan.overlap > 1 else set()
    else:
        units = Unit.objects.filter(plan=plan)
        if document_mode:  # a transcript's units share its width; count transcripts
            existing_rows = units.values("stratum", "document_id", "planned_coders").distinct()
        else:
            existing_rows = units.values("stratum", "planned_coders")
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
        held = defaultdict(int)  # document slots per coder, as the plan balances them
        for row in (
            Assignment.objects.filter(project_id=project_id, coder_id__in=active)
            .values("coder_id", "unit__document_id", "slot")
            .distinct()
        ):
            held[row["coder_id"]] += 1
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
        for slot in _unit_slots(unit, lambda n, row=row: chosen.get((key_of(row), n)), now)
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
    audit_record(project_id=project_id, actor=actor, action="assignment_plan.extend", obj=plan, after=summary)
    return summary


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


def _replan(
    *, plan: AssignmentPlan, params: PlanParams, usernames: dict[int, str], write: bool, actor=None
) -> dict[str, Any]:
    """Re-plan for a new list of coders. Done work never moves; work a coder has started stays with them;
    only unstarted work (and the unfinished work of removed coders) is redistributed."""
    old_coders = {pc.user_id: pc for pc in PlanCoder.objects.select_for_update().filter(plan=plan)}
    weights = dict(params.coders)
    active = list(weights)
    rows = list(
        Assignment.objects.select_for_update()
        .filter(project_id=plan.project_id)
        .values("id", "unit__document_id", "unit_id", "slot", "coder_id", "status", "last_activity_at")
    )
    moved: list[dict[str, Any]] = []
    if plan.unit_type == UnitType.DOCUMENT:
        quotas, moves = _replan_documents(plan, rows, active, weights)
    else:
        quotas, moves = _replan_pool(rows, active, weights)
    summary_per_coder = []
    load: dict[int, int] = defaultdict(int)
    for row in rows:
        if row["coder_id"] is not None:
            load[row["coder_id"]] += 1
    for move in moves:
        moved.append({k: v for k, v in move.items() if k != "ids"})
        for coder in (move["from"],):
            if coder is not None:
                load[coder] -= len(move["ids"])
        if move["to"] is not None:
            load[move["to"]] += len(move["ids"])
    for user in active:
        summary_per_coder.append(
            {
                "user": user,
                "username": usernames.get(user, ""),
                "weight": weights[user],
                "segments": load[user],
                "quota": quotas[user],
            }
        )
    summary = {
        "unit_type": plan.unit_type,
        "revision": plan.revision + (1 if write else 0),
        "per_coder": summary_per_coder,
        "removed": sorted(set(old_coders) - set(active)),
        "added": sorted(set(active) - set(old_coders)),
        "moved": moved,
        "segments_moved": sum(len(m["ids"]) for m in moves),
    }
    if not write:
        return summary
    before = _plan_image(plan, [(u, pc.weight) for u, pc in old_coders.items() if pc.active])
    now = timezone.now()
    # Two passes, so that swapping coders between slots never trips the one-slot-per-coder constraint.
    all_ids = [i for move in moves for i in move["ids"]]
    Assignment.objects.filter(id__in=all_ids).update(
        coder=None, status=AssignmentStatus.OPEN, claimed_at=None, last_activity_at=None
    )
    for move in moves:
        if move["to"] is not None:
            Assignment.objects.filter(id__in=move["ids"]).update(
                coder_id=move["to"], status=AssignmentStatus.ASSIGNED, claimed_at=now
            )
    for user, pc in old_coders.items():
        if user not in weights and pc.active:
            pc.active = False
            pc.save(update_fields=["active"])
    for user in active:
        pc = old_coders.get(user)
        if pc is None:
            PlanCoder.objects.create(plan=plan, user_id=user, weight=weights[user], quota=quotas[user])
        else:
            pc.active, pc.weight, pc.quota = True, weights[user], quotas[user]
            pc.save(update_fields=["active", "weight", "quota"])
    plan.revision += 1
    plan.save(update_fields=["revision", "updated_at"])
    audit_record(
        project_id=plan.project_id,
        actor=actor,
        action="assignment_plan.update",
        obj=plan,
        before=before,
        after={**_plan_image(plan, list(params.coders)), "summary": summary},
    )
    return summary


def _replan_documents(plan, rows, active, weights):
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["unit__document_id"], row["slot"])].append(row)
    fixed_load: dict[int, int] = defaultdict(int)
    taken: dict[int, set[int]] = defaultdict(set)
    movable: list[tuple[int, int]] = []
    keep: dict[tuple[int, int], int] = {}
    for key, members in sorted(groups.items(), key=lambda item: min(r["unit_id"] for r in item[1])):
        coders = {r["coder_id"] for r in members if r["coder_id"] is not None}
        coder = next(iter(coders)) if len(coders) == 1 else None
        started = any(r["status"] == AssignmentStatus.DONE or r["last_activity_at"] for r in members)
        unfinished = any(r["status"] != AssignmentStatus.DONE for r in members)
        if coder in weights and started:
            fixed_load[coder] += 1
            taken[key[0]].add(coder)
        elif coder in weights or (unfinished and coder not in weights):
            movable.append(key)
            if coder in weights:
                keep[key] = coder
        # A removed coder's group, all done: stays theirs and is no one's load.
        for c in coders:
            if c not in weights:
                taken[key[0]].add(c)
    total = sum(fixed_load.values()) + len(movable)
    shares = dict(
        zip(
            active,
            apportion(total, [weights[u] for u in active], [fixed_load[u] for u in active]),
            strict=True,
        )
    )
    # The coders of other movable slots are free to move, so only fixed holders are excluded up front.
    left = {user: shares[user] - fixed_load[user] for user in active}
    chosen = distribute(movable, left, taken=taken, keep=keep, seed=plan.seed + plan.revision)
    moves = []
    for key in movable:
        target = chosen[key]
        members = groups[key]
        ids = [r["id"] for r in members if r["status"] != AssignmentStatus.DONE and r["coder_id"] != target]
        if ids:
            current = {r["coder_id"] for r in members if r["status"] != AssignmentStatus.DONE}
            moves.append(
                {
                    "document": key[0],
                    "slot": key[1],
                    "from": next(iter(current)) if len(current) == 1 else None,
                    "to": target,
                    "ids": ids,
                }
            )
    return shares, moves


def _replan_pool(rows, active, weights):
    held: dict[int, int] = defaultdict(int)
    kept_by_removed = 0
    moves = []
    released: list[int] = []
    for row in rows:
        coder = row["coder_id"]
        if coder is None:
            continue
        if coder in weights:
            held[coder] += 1
        elif row["status"] == AssignmentStatus.DONE:
            kept_by_removed += 1
        else:
            released.append(row["id"])
    if released:
        moves.append({"document": None, "slot": None, "from": None, "to": None, "ids": released})
    total = len(rows) - kept_by_removed
    total_weight = sum(weights.values())
    quotas = {user: max(held[user], int(total * weights[user] / total_weight) + 1) for user in active}
    return quotas, moves


# --- the coder's queue -------------------------------------------------------------------------------


def _claim_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.INTERCODER_CLAIM_TIMEOUT_S)


_SLOT_COLUMNS = (
    'a.id, a.unit_id, a.segment_id, a."order", a.slot, a.coder_id, a.status, a.claimed_at, '
    "a.last_activity_at, a.done_at"
)


def _slot(row, project_id: int) -> Assignment:
    return Assignment(
        id=row[0],
        project_id=project_id,
        unit_id=row[1],
        segment_id=row[2],
        order=row[3],
        slot=row[4],
        coder_id=row[5],
        status=row[6],
        claimed_at=db_datetime(row[7]),
        last_activity_at=db_datetime(row[8]),
        done_at=db_datetime(row[9]),
    )


def queue_next(*, project_id: int, user) -> Assignment | None:
    """The coder's next unit: the first unit they hold and have not finished, in queue order; in a pool
    plan, when they hold none, a newly claimed one. ``None`` when there is nothing left for them."""
    return queue_next_then(project_id=project_id, user=user, then=lambda _unit: [])[0]


def queue_next_then(*, project_id: int, user, then) -> tuple[Assignment | None, list | None]:
    """``queue_next``, and the statements ``then(unit)`` run in a newly claimed unit's last round trip
    (the ``queue/next`` API reads the unit's context so): ``(unit, their rows)``, the rows None when no
    unit was newly claimed from the pool (the caller then runs them itself).

    Every "next" of every coder runs this, so it is hand-written SQL in one round trip
    (``annotate.core.sql``): lock the coder's plan row (their "next"s queue there, so a double click
    cannot claim twice), read their current unit and how many they hold, and claim an open slot if that
    is what the coder is due (the claim's own conditions say so, read after the lock like the others)."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        planned, current, claimed = execute_batch(
            cursor,
            [
                (
                    "SELECT pc.quota, p.unit_type FROM assignments_plancoder pc "  # noqa: S608
                    "JOIN assignments_assignmentplan p ON p.id = pc.plan_id "
                    "WHERE p.project_id = %s AND pc.user_id = %s AND pc.active "
                    f"ORDER BY pc.id LIMIT 1{for_update(of='pc')}",
                    [project_id, user.pk],
                ),
                (
                    f"SELECT n.held, {_SLOT_COLUMNS} FROM "  # noqa: S608
                    "(SELECT COUNT(*) AS held FROM assignments_assignment "
                    " WHERE project_id = %s AND coder_id = %s) n "
                    "LEFT JOIN (SELECT * FROM assignments_assignment "
                    f"           WHERE project_id = %s AND coder_id = %s AND status = {ASSIGNED} "
                    '           ORDER BY "order" LIMIT 1) a ON 1 = 1',
                    [project_id, user.pk, project_id, user.pk],
                ),
                _claim_open_statement(project_id=project_id, user=user, now=now),
            ],
        )
        held, *unit = current[0]
        result: tuple[Assignment | None, list | None]
        if unit[0] is not None:
            result = (_slot(unit, project_id), None)
        elif not planned or planned[0][1] != UnitType.SEGMENT or held >= planned[0][0]:
            result = (None, None)
        elif claimed:
            slot = _slot(claimed[0], project_id)
            slot.coder, slot.claimed_at = user, now
            # An open slot has no coder and no claim time (the assignment_status_consistent constraint).
            before = {"coder": None, "status": AssignmentStatus.OPEN, "claimed_at": None}
            result = (slot, _audit_claim(slot, before, then(slot)))
        else:
            result = (_claim_expired(cursor, project_id=project_id, user=user, now=now), None)
    return result


_NOT_MINE = (
    "a.unit_id NOT IN (SELECT unit_id FROM assignments_assignment WHERE project_id = %s AND coder_id = %s)"
)


def _claim_open_statement(*, project_id: int, user, now) -> tuple[str, list]:
    """Take the first open slot, in queue order, of a unit the coder does not hold: chosen, locked and
    taken in one statement, if the coder holds no unfinished unit and is under their quota in a pool
    plan. ``SKIP LOCKED``: concurrent claimers never wait for, nor take, the same row."""
    return (
        f"UPDATE assignments_assignment SET coder_id = %s, status = {ASSIGNED}, claimed_at = %s, "  # noqa: S608
        "last_activity_at = NULL "
        "WHERE id = (SELECT a.id FROM assignments_assignment a "
        f"WHERE a.project_id = %s AND a.status = {OPEN} AND {_NOT_MINE} "
        "AND NOT EXISTS (SELECT 1 FROM assignments_assignment c "
        f"                WHERE c.project_id = %s AND c.coder_id = %s AND c.status = {ASSIGNED}) "
        "AND (SELECT COUNT(*) FROM assignments_assignment h WHERE h.project_id = %s AND h.coder_id = %s) "
        "    < (SELECT pc.quota FROM assignments_plancoder pc "
        "       JOIN assignments_assignmentplan p ON p.id = pc.plan_id "
        f"       WHERE p.project_id = %s AND pc.user_id = %s AND pc.active AND p.unit_type = {SEGMENT}) "
        f'ORDER BY a."order", a.slot LIMIT 1{for_update(skip_locked=True)}) '
        f"RETURNING {_SLOT_COLUMNS.replace('a.', '')}",
        [
            user.pk,
            db_datetime_param(now),
            project_id,
            project_id,
            user.pk,
            project_id,
            user.pk,
            project_id,
            user.pk,
            project_id,
            user.pk,
        ],
    )


def _claim_expired(cursor, *, project_id: int, user, now) -> Assignment | None:
    """No open slot is left: take a slot whose claim has expired, oldest first. Its before-image names
    the coder who loses it."""
    cursor.execute(
        f"SELECT {_SLOT_COLUMNS} FROM assignments_assignment a "  # noqa: S608
        f"WHERE a.project_id = %s AND a.status = %s AND a.claimed_at < %s AND {_NOT_MINE} "
        f"ORDER BY a.claimed_at, a.id LIMIT 1{for_update(skip_locked=True)}",
        [
            project_id,
            AssignmentStatus.ASSIGNED,
            db_datetime_param(now - _claim_timeout()),
            project_id,
            user.pk,
        ],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    slot = _slot(row, project_id)
    before = {"coder": slot.coder_id, "status": slot.status, "claimed_at": slot.claimed_at}
    cursor.execute(
        "UPDATE assignments_assignment SET coder_id = %s, status = %s, claimed_at = %s, "
        "last_activity_at = NULL WHERE id = %s",
        [user.pk, AssignmentStatus.ASSIGNED, db_datetime_param(now), slot.id],
    )
    slot.coder, slot.status, slot.claimed_at, slot.last_activity_at = (
        user,
        AssignmentStatus.ASSIGNED,
        now,
        None,
    )
    _audit_claim(slot, before)
    return slot


def _audit_claim(slot: Assignment, before: dict[str, Any], then=()) -> list | None:
    """The claim's audit event, and the statements ``then`` in the same round trip, before the event:
    they need no view of the chain, and so do not hold its lock (their rows, or None when there are
    none)."""
    rows = audit_record_after(
        project_id=slot.project_id,
        events=[
            {
                "actor": slot.coder,
                "action": "assignment.claim",
                "obj": slot,
                "before": before,
                "after": {"segment": slot.segment_id, "coder": slot.coder_id, "status": slot.status},
                "reason": "expired claim taken over" if before["coder"] is not None else "",
            }
        ],
        statements=list(then),
    )
    return rows or None


def _held(*, project_id: int, user, segment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(project_id=project_id, coder=user, segment_id=segment_id)
        .first()
    )
    if assignment is None:
        raise ApplicationError("You hold no assignment of this unit.", status=404)
    return assignment


def assignment_done(*, project_id: int, user, segment_id: int) -> Assignment:
    """Mark one's unit done: the coder's codings on it become their rating. Idempotent.

    This is a step of every coder's loop (next → codes → done), so it is two round trips: the guarded
    UPDATE both locks and changes the row (a concurrent duplicate waits for it, then finds the unit done
    and changes nothing); then the audit event with the one query that says whether analysis is now due."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        (rows,) = execute_batch(
            cursor,
            [
                (
                    f"UPDATE assignments_assignment SET status = {DONE}, done_at = %s, last_activity_at = %s "  # noqa: S608
                    f"WHERE project_id = %s AND coder_id = %s AND segment_id = %s AND status = {ASSIGNED} "
                    "RETURNING id, unit_id",
                    [db_datetime_param(now), db_datetime_param(now), project_id, user.pk, segment_id],
                )
            ],
        )
        row = rows[0] if rows else None
        if row is None:  # not held, or already done
            return _held(project_id=project_id, user=user, segment_id=segment_id)
        assignment = Assignment(
            id=row[0],
            project_id=project_id,
            unit_id=row[1],
            segment_id=segment_id,
            coder=user,
            status=AssignmentStatus.DONE,
            done_at=now,
            last_activity_at=now,
        )
        # The due-analysis read goes after the audit event, on purpose: the event holds the project's chain
        # lock, so every other "done" of the project has committed or waits, and the read sees them all.
        # Read before it, two coders finishing a unit's (or a transcript's) last slots together would each
        # see the other's as pending, and the analysis would never be scheduled. One round trip for both.
        (due_rows,) = audit_record_then(
            project_id=project_id,
            events=[
                {
                    "actor": user,
                    "action": "assignment.done",
                    "obj": assignment,
                    "before": {"segment": segment_id, "status": AssignmentStatus.ASSIGNED},
                    "after": {"segment": segment_id, "status": AssignmentStatus.DONE},
                }
            ],
            then=[_analysis_due_statement(project_id=project_id, unit_id=assignment.unit_id)],
        )
        due = _analysis_due(due_rows[0])
        if due:
            from annotate.analysis.services import analysis_schedule_automatic

            analysis_schedule_automatic(project_id=project_id, kinds=due)
    return assignment


def _analysis_due_statement(*, project_id: int, unit_id: int) -> tuple[str, list]:
    """What finishing a unit makes due, in one query (``_analysis_due`` reads it): the unit's planned
    coders; whether its transcript is complete (NULL while the unit itself has coders to finish); and
    whether an automatic agreement or saturation run is already pending (then nothing more is needed:
    while coders work, one almost always is)."""
    pending = f"automatic AND status = {constant(JobStatus.PENDING)} AND project_id = %s"
    return (
        "SELECT u.planned_coders, "  # noqa: S608
        "  CASE WHEN EXISTS (SELECT 1 FROM assignments_assignment a "
        f"                    WHERE a.unit_id = u.id AND a.status <> {DONE}) THEN NULL "
        "  ELSE NOT EXISTS (SELECT 1 FROM assignments_assignment a "
        "                   JOIN assignments_unit v ON v.id = a.unit_id "
        f"                   WHERE v.document_id = u.document_id AND a.status <> {DONE}) END, "
        f"  EXISTS (SELECT 1 FROM analysis_agreementrun WHERE {pending}), "
        f"  EXISTS (SELECT 1 FROM analysis_saturationrun WHERE {pending}) "
        "FROM assignments_unit u WHERE u.id = %s",
        [project_id, project_id, unit_id],
    )


def _analysis_due(row) -> list[str]:
    """Agreement is due when this completed a unit with two or more planned coders, saturation when it
    completed the unit's transcript; either only if no automatic run of its kind is pending already.
    Both runs are debounced (analysis_schedule_automatic)."""
    planned_coders, document_complete, agreement_pending, saturation_pending = row
    if document_complete is None:  # the unit itself still has coders to finish
        return []
    return [
        *(["agreement"] if planned_coders >= 2 and not agreement_pending else []),
        *(["saturation"] if document_complete and not saturation_pending else []),
    ]


def assignment_reopen(*, project_id: int, user, segment_id: int) -> Assignment:
    """Take a done unit back to change its codes, until the unit is adjudicated. Idempotent."""
    with transaction.atomic():
        assignment = _held(project_id=project_id, user=user, segment_id=segment_id)
        if assignment.status == AssignmentStatus.ASSIGNED:
            return assignment
        # Read afresh, under the assignment's lock: an adjudication that committed while this waited for
        # the lock is seen here (the joined row of ``_held`` may predate it).
        if Unit.objects.filter(pk=assignment.unit_id, adjudicated_at__isnull=False).exists():
            raise ConflictError("This unit has been adjudicated; it can no longer be reopened.")
        if not Project.objects.filter(pk=project_id, coders_may_reopen=True).exists():
            raise ConflictError(
                "Submitted units are final in this project: the PI does not allow reopening them. "
                "Ask the PI if a code needs changing."
            )
        now = timezone.now()
        assignment.status = AssignmentStatus.ASSIGNED
        assignment.done_at = None
        assignment.claimed_at = now
        assignment.last_activity_at = now
        assignment.save(update_fields=["status", "done_at", "claimed_at", "last_activity_at"])
        audit_record(
            project_id=project_id,
            actor=user,
            action="assignment.reopen",
            obj=assignment,
            before={"segment": segment_id, "status": AssignmentStatus.DONE},
            after={"segment": segment_id, "status": AssignmentStatus.ASSIGNED},
        )
    return assignment
