"""Writes for analysis runs: requesting a run, scheduling automatic runs after coding, and executing a run
(called by the thin Celery task in ``workers/tasks/analysis.py``)."""

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotate.adjudication.models import Decision
from annotate.audit.services import audit_record
from annotate.codebook.models import Code
from annotate.codebook.selectors import code_get, code_paths, codebook_get
from annotate.core.exceptions import ApplicationError
from annotate.core.jobs import enqueue_on_commit, job_claim, job_finish, job_progress, tasks_run_inline
from annotate.core.models import JobStatus
from annotate.documents.models import Document
from annotate.projects.models import Membership
from workers.stats.agreement import MEASURES, MultiCodeRatings, agreement_report
from workers.stats.saturation import SaturationInputError, parse_threshold, saturation_report
from workers.stats.spans import SpanDataError, span_agreement_report, span_data
from workers.stats.spans.gamma import Units, gamma_over_documents

from .models import AgreementRun, AnalysisSettings, SaturationRun, SpanAgreementRun
from .selectors import (
    agreement_input,
    codebook_version_times,
    last_unit_done_at,
    saturation_input,
    saturation_interviews,
    span_agreement_input,
)

SATURATION_DEFAULTS: dict[str, Any] = {
    "level": "code",
    "subtree": None,
    "coder_mode": "union",
    "coder": None,
    "base_size": 4,
    "run_length": 2,
    "threshold": "1/20",
    "n_orders": 1000,
    "order_by": "auto",
    "planning_prevalence": None,
    "planning_power": None,
    "planning_min_occurrences": 1,
}


def _probability(p: dict[str, Any], name: str, *, closed_right: bool) -> None:
    value = p[name]
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    ok = ok and (0 < value <= 1 if closed_right else 0 < value < 1)
    if not ok:
        interval = "greater than 0 and at most 1" if closed_right else "strictly between 0 and 1"
        raise ApplicationError(f"{name} must be a fraction {interval} (e.g. 0.1 for 10%).")


def _new_seed() -> int:
    return secrets.randbelow(2**31)


def _saturation_message(exc: SaturationInputError) -> str:
    """The engine's message without its code, plus where to fix a duplicate."""
    message = str(exc).split(": ", 1)[-1]
    if exc.code == "duplicate_sequence":
        return (
            f"Interviews share an analysis order number ({message}). Give each interview its own "
            "number in its document settings, or order by conducted date (order_by 'conducted')."
        )
    return message


def saturation_params_validate(*, project_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """Complete ``params`` with defaults and check every field; the message says what to fix."""
    unknown = set(params) - set(SATURATION_DEFAULTS) - {"seed"}
    if unknown:
        raise ApplicationError(f"Unknown saturation parameter(s): {', '.join(sorted(unknown))}.")
    p = {**SATURATION_DEFAULTS, **{k: v for k, v in params.items() if v is not None}}
    if p["level"] not in ("code", "theme"):
        raise ApplicationError("level must be 'code' or 'theme'.")
    if p["coder_mode"] not in ("union", "coder", "adjudicated"):
        raise ApplicationError("coder_mode must be 'union', 'coder' or 'adjudicated'.")
    if (
        p["coder_mode"] == "adjudicated"
        and not Decision.objects.filter(project_id=project_id, is_current=True).exists()
    ):
        raise ApplicationError(
            "There are no adjudicated codings in this project yet; use 'union' or 'coder'."
        )
    if (
        p["coder_mode"] == "coder"
        and not Membership.objects.filter(project_id=project_id, user_id=p["coder"]).exists()
    ):
        raise ApplicationError("coder_mode 'coder' needs 'coder': the id of a member who codes.")
    for name in ("base_size", "run_length"):
        if not isinstance(p[name], int) or isinstance(p[name], bool) or not 1 <= p[name] <= 1000:
            raise ApplicationError(f"{name} must be a whole number from 1 to 1000.")
    if not isinstance(p["n_orders"], int) or not 1000 <= p["n_orders"] <= 100_000:
        raise ApplicationError("n_orders must be a whole number from 1,000 to 100,000.")
    try:
        p["threshold"] = str(parse_threshold(str(p["threshold"])))
    except SaturationInputError as exc:
        raise ApplicationError(f"threshold: {exc}") from None
    if p["order_by"] not in ("auto", "sequence", "conducted"):
        raise ApplicationError("order_by must be 'auto', 'sequence' or 'conducted'.")
    if (p["planning_prevalence"] is None) != (p["planning_power"] is None):
        raise ApplicationError("The Fugard-Potts planner needs both planning_prevalence and planning_power.")
    if p["planning_prevalence"] is not None:
        _probability(p, "planning_prevalence", closed_right=True)
        _probability(p, "planning_power", closed_right=False)
    k = p["planning_min_occurrences"]
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 1000:
        raise ApplicationError("planning_min_occurrences must be a whole number from 1 to 1000.")
    try:  # the interviews and their order as the run would take them now: a duplicate is a 400 here
        saturation_interviews(
            project_id=project_id, coder_mode=p["coder_mode"], coder_id=p["coder"], order_by=p["order_by"]
        )
    except SaturationInputError as exc:
        raise ApplicationError(_saturation_message(exc)) from None
    if p["subtree"] is not None:
        code = code_get(project_id=project_id, code_id=p["subtree"])
        p["subtree_path"] = code_paths(codebook=codebook_get(project_id=project_id))[code.id]
    return p


def _enqueue(kind: str, run_id: int, countdown: float = 0) -> None:
    """Send the run's task (``workers/tasks/analysis.py``, by name) once the run row is committed."""
    enqueue_on_commit(f"analysis.{kind}_run_compute", run_id, countdown=countdown)


def _run_create(
    *, kind: str, project_id: int, actor, params: dict[str, Any], seed: int | None, automatic: bool
):
    """The run row and its audit event (``<kind>_run.create``; ``after.automatic`` tells a scheduled run
    from a requested one), in the caller's transaction."""
    run = RUN_KINDS[kind].model.objects.create(
        project_id=project_id,
        created_by=actor,
        params=params,
        seed=seed if seed is not None else _new_seed(),
        automatic=automatic,
    )
    audit_record(
        project_id=project_id,
        actor=actor,
        action=f"{kind}_run.create",
        obj=run,
        after={"params": params, "seed": run.seed, "automatic": automatic},
    )
    return run


def analysis_run_request(*, kind: str, project, actor, params: dict[str, Any]):
    """A run someone asked for: validated parameters, the row, its audit event, and its task queued."""
    p = RUN_KINDS[kind].validate(project_id=project.id, params=params)
    seed = p.pop("seed", None)
    with transaction.atomic():
        run = _run_create(kind=kind, project_id=project.id, actor=actor, params=p, seed=seed, automatic=False)
        _enqueue(kind, run.id)
    return run


def saturation_run_request(*, project, actor, params: dict[str, Any]) -> SaturationRun:
    return analysis_run_request(kind="saturation", project=project, actor=actor, params=params)


def automatic_run_overdue_before(now: dt.datetime | None = None) -> dt.datetime:
    """A pending automatic run created before this time is overdue: its longest wait and the
    dispatcher's resend delay have passed and it has not started (its message or worker is lost, or the
    workers are far behind). It no longer stands for the runs asked after it: the next request supersedes
    it."""
    now = now or timezone.now()
    return now - dt.timedelta(
        seconds=max(settings.INTERCODER_ANALYSIS_DEBOUNCE_S, settings.INTERCODER_ANALYSIS_MAX_WAIT_S)
        + settings.INTERCODER_JOB_RESEND_AFTER_S
    )


def automatic_run_wait(*, kind: str, run_id: int, now: dt.datetime | None = None) -> float:
    """Seconds a pending automatic run still waits before it computes, 0 when it is due (or is not a
    pending automatic run). The debounce is on the trailing edge: the run is due once no unit of the
    project has been marked done for ``INTERCODER_ANALYSIS_DEBOUNCE_S`` (the coding has paused, so the
    run sees the whole burst), and at the latest ``INTERCODER_ANALYSIS_MAX_WAIT_S`` after the run was
    scheduled (coding that never pauses is still computed, a bounded number of times)."""
    run = (
        RUN_KINDS[kind]
        .model.objects.filter(pk=run_id, automatic=True, status=JobStatus.PENDING)
        .values("project_id", "created_at")
        .first()
    )
    if run is None:
        return 0.0
    now = now or timezone.now()
    last_done = last_unit_done_at(project_id=run["project_id"])
    if last_done is None:
        return 0.0
    quiet_at = last_done + dt.timedelta(seconds=settings.INTERCODER_ANALYSIS_DEBOUNCE_S)
    latest = run["created_at"] + dt.timedelta(seconds=settings.INTERCODER_ANALYSIS_MAX_WAIT_S)
    return max(0.0, (min(quiet_at, latest) - now).total_seconds())


def _automatic_run_deferred(kind: str, run_id: int) -> bool:
    """Send the run's task again for when it is due if it must still wait (``automatic_run_wait``). Not
    in eager mode (the tests), which has no delays: there a call computes the run."""
    if tasks_run_inline():
        return False
    wait = automatic_run_wait(kind=kind, run_id=run_id)
    if wait <= 0:
        return False
    _enqueue(kind, run_id, countdown=wait)
    return True


def analysis_schedule_automatic(
    *, project_id: int, kinds: tuple[str, ...] | list[str] = ("agreement", "saturation")
) -> list:
    """After coding completes: make sure one automatic agreement and one saturation run are pending.

    Debounced: if an automatic run of that kind is already pending, nothing is added (a partial unique
    index guarantees it even under concurrent callers), and its task is sent for
    ``INTERCODER_ANALYSIS_DEBOUNCE_S`` later; it waits on until the coding pauses
    (``automatic_run_wait``), so that a burst of codings is computed once, soon after its last coding. The newest request
    wins over a pending run that is overdue (``automatic_run_overdue_before``): that run is marked failed,
    superseded by the new one, so a run whose message was lost never blocks later ones.
    """
    created = []
    overdue_before = automatic_run_overdue_before()
    for kind in ("saturation", "agreement"):
        if kind not in kinds:
            continue
        spec = RUN_KINDS[kind]
        pending = spec.model.objects.filter(project_id=project_id, automatic=True, status=JobStatus.PENDING)
        if pending.filter(created_at__gte=overdue_before).exists():
            continue
        try:
            with transaction.atomic():
                superseded = list(pending.filter(created_at__lt=overdue_before).values_list("id", flat=True))
                # Guarded: a run a worker claimed meanwhile is running, not superseded.
                pending.filter(id__in=superseded).update(status=JobStatus.FAILED, finished_at=timezone.now())
                run = _run_create(
                    kind=kind,
                    project_id=project_id,
                    actor=None,
                    params=dict(spec.defaults),
                    seed=None,
                    automatic=True,
                )
                spec.model.objects.filter(id__in=superseded, status=JobStatus.FAILED, error="").update(
                    error=f"Superseded by automatic run {run.id}: this run had not started "
                    f"{int((timezone.now() - overdue_before).total_seconds())} s after it was scheduled."
                )
        except IntegrityError:
            continue  # a concurrent caller scheduled it first
        # In eager mode (the tests) an automatic run is left pending for a worker: eager mode ignores the
        # debounce, so computing it inline would recompute every statistic on every completed unit.
        if not tasks_run_inline():
            _enqueue(kind, run.id, countdown=settings.INTERCODER_ANALYSIS_DEBOUNCE_S)
        created.append(run)
    return created


def saturation_run_execute(*, run_id: int) -> None:
    if _automatic_run_deferred("saturation", run_id):
        return
    run = job_claim(SaturationRun, run_id)
    if run is None:
        return  # already running or finished elsewhere: a redelivered message
    p = {**SATURATION_DEFAULTS, **run.params}
    try:
        data = saturation_input(
            project_id=run.project_id,
            coder_mode=p["coder_mode"],
            coder_id=p.get("coder"),
            order_by=p["order_by"],
        )
    except SaturationInputError as exc:
        raise ApplicationError(_saturation_message(exc)) from exc
    job_progress(SaturationRun, run_id, 20)
    try:
        report = saturation_report(
            data.incidence,
            interview_labels=data.interview_labels,
            code_labels=data.code_labels,
            parent_of=data.parent_of,
            level=p["level"],
            subtree=p.get("subtree_path"),
            base_size=p["base_size"],
            run_length=p["run_length"],
            threshold=p["threshold"],
            n_orders=p["n_orders"],
            seed=run.seed,
            order_by=data.order_by,
            planning_prevalence=p["planning_prevalence"],
            planning_power=p["planning_power"],
            planning_min_occurrences=p["planning_min_occurrences"],
            excluded_interviews=data.excluded,
        )
    except SaturationInputError as exc:
        raise ApplicationError(str(exc)) from exc
    job_finish(SaturationRun, run_id, result=report, snapshot=data.snapshot)


# --- agreement -----------------------------------------------------------------------------------

AGREEMENT_DEFAULTS: dict[str, Any] = {
    "level": "code",
    "codes": None,
    "coders": None,
    "documents": None,
    "measures": None,
    "n_bootstrap": 1000,
    "drift_window_days": 7,
}


def agreement_params_validate(*, project_id: int, params: dict[str, Any]) -> dict[str, Any]:

    unknown = set(params) - set(AGREEMENT_DEFAULTS) - {"seed"}
    if unknown:
        raise ApplicationError(f"Unknown agreement parameter(s): {', '.join(sorted(unknown))}.")
    p = {**AGREEMENT_DEFAULTS, **{k: v for k, v in params.items() if v is not None}}
    if p["level"] not in ("code", "theme"):
        raise ApplicationError("level must be 'code' or 'theme'.")
    if p["measures"] is not None:
        bad = sorted(set(p["measures"]) - set(MEASURES))
        if bad or not p["measures"]:
            raise ApplicationError(
                f"Unknown measure(s) {', '.join(bad) or '(none given)'}; choose from {', '.join(MEASURES)}."
            )
    if not isinstance(p["n_bootstrap"], int) or not 0 <= p["n_bootstrap"] <= 10_000:
        raise ApplicationError("n_bootstrap must be a whole number from 0 to 10,000.")
    if not isinstance(p["drift_window_days"], int) or not 1 <= p["drift_window_days"] <= 366:
        raise ApplicationError("drift_window_days must be a whole number of days from 1 to 366.")
    _id_lists_check(project_id, p)
    return p


def _id_lists_check(project_id: int, p: dict[str, Any]) -> None:
    """``codes``, ``coders`` and ``documents``: left out (all) or non-empty lists of ids of this project."""
    for name, model_check in (
        ("codes", _codes_exist),
        ("coders", _coders_exist),
        ("documents", _documents_exist),
    ):
        if p[name] is not None:
            if not isinstance(p[name], list) or not p[name]:
                raise ApplicationError(f"{name} must be a non-empty list of ids (or left out for all).")
            missing = model_check(project_id, p[name])
            if missing:
                raise ApplicationError(
                    f"{name}: no such id(s) in this project: {', '.join(map(str, missing))}."
                )


def _codes_exist(project_id: int, ids: list[int]) -> list[int]:

    found = set(Code.objects.filter(codebook__project_id=project_id, pk__in=ids).values_list("pk", flat=True))
    return [i for i in ids if i not in found]


def _coders_exist(project_id: int, ids: list[int]) -> list[int]:
    found = set(
        Membership.objects.filter(project_id=project_id, user_id__in=ids).values_list("user_id", flat=True)
    )
    return [i for i in ids if i not in found]


def _documents_exist(project_id: int, ids: list[int]) -> list[int]:

    found = set(Document.objects.filter(project_id=project_id, pk__in=ids).values_list("pk", flat=True))
    return [i for i in ids if i not in found]


def agreement_run_request(*, project, actor, params: dict[str, Any]) -> AgreementRun:
    return analysis_run_request(kind="agreement", project=project, actor=actor, params=params)


def _drift(data, *, window_days: int, versions: list[tuple[int, Any]]) -> dict[str, Any]:
    """Agreement of the units completed in each time window, and under each codebook version in force when
    they were completed: the same engine on subsets of units (point estimates, no intervals)."""

    def subset(unit_mask) -> dict[str, Any] | None:
        units = np.flatnonzero(unit_mask)
        if len(units) == 0:
            return None
        r = data.ratings
        remap = np.full(r.n_units, -1, dtype=np.int64)
        remap[units] = np.arange(len(units))
        keep = remap[r.coding_unit] >= 0
        sub = MultiCodeRatings(
            r.rated[units], remap[r.coding_unit[keep]], r.coding_coder[keep], r.coding_code[keep], r.n_codes
        )
        report = agreement_report(
            sub,
            code_labels=data.code_labels,
            coder_labels=data.coder_labels,
            n_bootstrap=0,
            seed=0,
            measures=["krippendorff_alpha", "percent_agreement"],
        )
        return {
            "counts": report["counts"],
            "overall": report["overall"],
            "per_code_alpha": {
                row["code"]: row["measures"]["krippendorff_alpha"]["value"] for row in report["per_code"]
            },
        }

    times = data.unit_completed_at
    known = [t for t in times if t is not None]
    by_window: list[dict[str, Any]] = []
    if known:
        start = min(known)
        width = dt.timedelta(days=window_days)
        n_windows = int((max(known) - start) / width) + 1
        index = np.array([int((t - start) / width) if t is not None else -1 for t in times])
        for w in range(n_windows):
            result = subset(index == w)
            if result is not None:
                by_window.append(
                    {
                        "from": (start + w * width).isoformat(),
                        "to": (start + (w + 1) * width).isoformat(),
                        **result,
                    }
                )
    by_version: list[dict[str, Any]] = []
    version_of = np.array(
        [
            max((n for n, created in versions if created <= t), default=versions[0][0])
            if t is not None
            else -1
            for t in times
        ]
    )
    for number, _ in versions:
        result = subset(version_of == number)
        if result is not None:
            by_version.append({"codebook_version": number, **result})
    return {"window_days": window_days, "by_window": by_window, "by_codebook_version": by_version}


def agreement_run_execute(*, run_id: int) -> None:
    if _automatic_run_deferred("agreement", run_id):
        return
    run = job_claim(AgreementRun, run_id)
    if run is None:
        return
    p = run.params
    data = agreement_input(project_id=run.project_id, params=p)
    job_progress(AgreementRun, run_id, 10)
    report = agreement_report(
        data.ratings,
        code_labels=data.code_labels,
        coder_labels=data.coder_labels,
        n_bootstrap=p["n_bootstrap"],
        seed=run.seed,
        measures=p.get("measures"),
    )
    job_progress(AgreementRun, run_id, 80)
    report["drift"] = _drift(
        data,
        window_days=p.get("drift_window_days", 7),
        versions=codebook_version_times(project_id=run.project_id),
    )
    job_finish(AgreementRun, run_id, result=report, snapshot=data.snapshot)


# --- agreement on spans --------------------------------------------------------------------------

SPAN_MEASURES = ("u_alpha", "cu_alpha", "Cu_alpha", "gamma")
SPAN_DEFAULTS: dict[str, Any] = {
    "codes": None,
    "coders": None,
    "documents": None,
    "measures": ["u_alpha", "cu_alpha", "Cu_alpha"],
    "n_bootstrap": 1000,
}


def span_agreement_params_validate(*, project_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """Complete ``params`` with defaults and check every field; the message says what to fix."""
    unknown = set(params) - set(SPAN_DEFAULTS) - {"seed"}
    if unknown:
        raise ApplicationError(f"Unknown span agreement parameter(s): {', '.join(sorted(unknown))}.")
    p = {**SPAN_DEFAULTS, **{k: v for k, v in params.items() if v is not None}}
    bad = sorted(set(p["measures"]) - set(SPAN_MEASURES))
    if bad or not p["measures"]:
        raise ApplicationError(
            f"Unknown measure(s) {', '.join(bad) or '(none given)'}; choose from {', '.join(SPAN_MEASURES)}."
        )
    p["measures"] = [m for m in SPAN_MEASURES if m in p["measures"]]
    if not isinstance(p["n_bootstrap"], int) or not 0 <= p["n_bootstrap"] <= 10_000:
        raise ApplicationError("n_bootstrap must be a whole number from 0 to 10,000.")
    _id_lists_check(project_id, p)
    if p["coders"] is not None and len(set(p["coders"])) < 2:
        raise ApplicationError("coders: choose at least two coders to compare (or leave it out for all).")
    return p


def span_agreement_run_request(*, project, actor, params: dict[str, Any]) -> SpanAgreementRun:
    return analysis_run_request(kind="span_agreement", project=project, actor=actor, params=params)


def _span_gamma(data, documents: list[dict], *, n_resamples: int, seed: int) -> dict[str, Any]:
    """Mathet's gamma of each document (its own continuum) and pooled over documents."""
    units = []
    for d in range(len(documents)):
        mine = data.doc == d
        rows = zip(
            data.coder[mine].tolist(), data.start[mine].tolist(), data.end[mine].tolist(),
            data.code[mine].tolist(), strict=True,
        )  # fmt: skip
        units.append(Units.of(list(rows), data.n_coders))
    report = gamma_over_documents(units, n_resamples=n_resamples, seed=seed)
    for row, document in zip(report["per_document"], documents, strict=True):
        row.update(document)
    return report


def span_agreement_run_execute(*, run_id: int) -> None:
    run = job_claim(SpanAgreementRun, run_id)
    if run is None:
        return
    p = {**SPAN_DEFAULTS, **run.params}
    data_in = span_agreement_input(project_id=run.project_id, params=p)
    try:
        data = span_data(
            data_in.doc_lengths, data_in.spans, n_coders=len(data_in.coders), n_codes=len(data_in.codes)
        )
    except SpanDataError as exc:
        raise ApplicationError(f"The span codings cannot be compared: {exc}") from exc
    job_progress(SpanAgreementRun, run_id, 20)
    measures = p["measures"]
    report = span_agreement_report(
        data,
        parents=data_in.parents if "Cu_alpha" in measures else None,
        n_resamples=p["n_bootstrap"],
        seed=run.seed,
    )
    job_progress(SpanAgreementRun, run_id, 70)
    # |uα and the boundary uα always; the other alphas when asked for (gamma is reported apart).
    keep = {"binary_u_alpha", "boundary_u_alpha", *measures}
    report["overall"] = {k: v for k, v in report["overall"].items() if k in keep}
    for row in report["per_code"]:
        row.update(data_in.codes[row["code"]])
        row["code"] = data_in.codes[row["code"]]["label"]
    for row in report["per_document"]:
        row.update(data_in.documents[row["doc"]])
        for name in ("u_alpha", "cu_alpha"):
            if name not in measures:
                row.pop(name, None)
    report["gamma"] = (
        _span_gamma(data, data_in.documents, n_resamples=p["n_bootstrap"], seed=run.seed)
        if "gamma" in measures
        else None
    )
    report["measures"] = measures
    report["coders"] = data_in.coders
    report["domains"] = data_in.domains
    report["excluded_documents"] = data_in.excluded
    job_finish(SpanAgreementRun, run_id, result=report, snapshot=data_in.snapshot)


@dataclass(frozen=True)
class RunKind:
    """What differs between the two kinds of analysis run; everything else is shared."""

    model: type[SaturationRun] | type[AgreementRun] | type[SpanAgreementRun]
    defaults: dict[str, Any]
    validate: Callable[..., dict[str, Any]]
    execute: Callable[..., None]


RUN_KINDS: dict[str, RunKind] = {
    "saturation": RunKind(
        SaturationRun, SATURATION_DEFAULTS, saturation_params_validate, saturation_run_execute
    ),
    "agreement": RunKind(AgreementRun, AGREEMENT_DEFAULTS, agreement_params_validate, agreement_run_execute),
    "span_agreement": RunKind(
        SpanAgreementRun, SPAN_DEFAULTS, span_agreement_params_validate, span_agreement_run_execute
    ),
}


def analysis_run_compute_now(*, project, actor, kind: str, params: dict[str, Any]):
    """Create a run and compute it in this process (the demo loader; scripts). Same rows, same audit events
    and same code path as a queued run, without a broker."""
    p = RUN_KINDS[kind].validate(project_id=project.id, params=params)
    seed = p.pop("seed", None)
    with transaction.atomic():
        run = _run_create(kind=kind, project_id=project.id, actor=actor, params=p, seed=seed, automatic=False)
    RUN_KINDS[kind].execute(run_id=run.id)
    run.refresh_from_db()
    return run


def analysis_settings_update(*, project, actor, coders_see_agreement: bool):

    with transaction.atomic():
        current, _ = AnalysisSettings.objects.select_for_update().get_or_create(project=project)
        before = {"coders_see_agreement": current.coders_see_agreement}
        if before["coders_see_agreement"] != coders_see_agreement:
            current.coders_see_agreement = coders_see_agreement
            current.save()
            audit_record(
                project_id=project.id,
                actor=actor,
                action="analysis_settings.update",
                obj=current,
                before=before,
                after={"coders_see_agreement": coders_see_agreement},
            )
    return current
