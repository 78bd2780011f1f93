"""Computing an assignment plan from the PI's parameters (who codes which units, the reliability sample,
strata, weights): reads and pure computation, no writes. The apportioning and sampling themselves are the
pure functions of ``planning``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypedDict

from annotate.cases.models import AttributeDefinition, AttributeValue
from annotate.core.exceptions import ApplicationError
from annotate.documents.models import Segment
from annotate.projects.models import Membership, Project
from annotate.projects.permissions import CODERS

from .models import AssignmentPlan, UnitType
from .planning import apportion, distribute, stratified_sample

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


def plan_params_validate(*, project: Project, params: PlanParams) -> dict[int, str]:
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


class CodableSegment(TypedDict):
    id: int
    document_id: int
    document__case_id: int
    document__title: str


def codable_segments(project: Project) -> list[CodableSegment]:
    return list(
        Segment.objects.filter(document__project=project, codable=True)
        .order_by("document__analysis_order", "document_id", "position")
        .values("id", "document_id", "document__case_id", "document__title")
    )


def plan_strata(project: Project, attribute: str) -> dict[int, str]:
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
    segments = codable_segments(project)
    if not segments:
        raise ApplicationError(
            "This project has no codable segments to assign yet; import transcripts first."
        )
    strata_by_case = plan_strata(project, params.stratify_by)

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

    strata_summary: dict[str, tuple[int, int]]  # stratum -> (units, sampled)
    if params.sample_fraction is None:
        sampled = {key for key, _ in plan_units} if params.overlap > 1 else set()
        by_stratum: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for key, stratum in plan_units:
            by_stratum[stratum][0] += 1
            by_stratum[stratum][1] += 1 if key in sampled else 0
        strata_summary = {s: (units, in_sample) for s, (units, in_sample) in by_stratum.items()}
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


def plan_params_from_body(data: dict[str, Any]) -> PlanParams:
    return PlanParams(
        unit_type=data["unit_type"],
        coders=tuple((int(c["user"]), float(c.get("weight", 1.0))) for c in data["coders"]),
        overlap=int(data.get("overlap", 1)),
        sample_fraction=data.get("sample_fraction"),
        stratify_by=data.get("stratify_by") or "",
        seed=int(data.get("seed", 0)),
    )


def plan_image(plan: AssignmentPlan, coders: list[tuple[int, float]]) -> dict[str, Any]:
    return {
        "unit_type": plan.unit_type,
        "overlap": plan.overlap,
        "sample_fraction": plan.sample_fraction,
        "stratify_by": plan.stratify_by,
        "seed": plan.seed,
        "revision": plan.revision,
        "coders": [{"user": user, "weight": weight} for user, weight in coders],
    }
