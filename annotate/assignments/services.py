"""Writes of assignment plans: compute, preview and apply a plan, extend it with new transcripts, re-plan
when coders or weights change, and withdraw a transcript. Every change writes its audit event in the same
transaction. The coder's queue (claims, units, done) is the coding loop's: ``annotate.coding_loop``."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from annotate.audit.services import audit_record
from annotate.cases.models import AttributeDefinition, AttributeValue
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.documents.models import Segment
from annotate.projects.models import Membership, Project
from annotate.projects.permissions import CODERS

from .models import Assignment, AssignmentPlan, AssignmentStatus, PlanCoder, Unit, UnitType
from .planning import apportion, distribute, extend_sample, stratified_sample

NO_STRATUM = "(none)"


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
