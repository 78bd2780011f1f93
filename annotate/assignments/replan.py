"""Re-planning an applied plan when its coders or their weights change: only unstarted work moves (done
and started work never do), in document plans by whole transcripts, in pool plans by open slots."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone

from annotate.audit.services import audit_record

from .models import Assignment, AssignmentPlan, AssignmentStatus, PlanCoder, UnitType
from .planning import apportion, distribute
from .plans import PlanParams, plan_image


def replan(
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
    before = plan_image(plan, [(u, pc.weight) for u, pc in old_coders.items() if pc.active])
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
        existing = old_coders.get(user)
        if existing is None:
            PlanCoder.objects.create(plan=plan, user_id=user, weight=weights[user], quota=quotas[user])
        else:
            existing.active, existing.weight, existing.quota = True, weights[user], quotas[user]
            existing.save(update_fields=["active", "weight", "quota"])
    plan.revision += 1
    plan.save(update_fields=["revision", "updated_at"])
    audit_record(
        project_id=plan.project_id,
        actor=actor,
        action="assignment_plan.update",
        obj=plan,
        before=before,
        after={**plan_image(plan, list(params.coders)), "summary": summary},
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
        staying = coder if coder in weights else None  # the group's one coder, if still in the plan
        started = any(r["status"] == AssignmentStatus.DONE or r["last_activity_at"] for r in members)
        unfinished = any(r["status"] != AssignmentStatus.DONE for r in members)
        if staying is not None and started:
            fixed_load[staying] += 1
            taken[key[0]].add(staying)
        elif staying is not None or (unfinished and coder not in weights):
            movable.append(key)
            if staying is not None:
                keep[key] = staying
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
