"""Writes for analysis runs: requesting a run, scheduling automatic runs after coding, and executing a run
(called by the thin Celery task in ``workers/tasks/analysis.py``)."""

import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from annotate.audit.services import audit_record
from annotate.codebook.selectors import code_get, code_paths, codebook_get
from annotate.core.exceptions import ApplicationError
from annotate.core.jobs import job_claim, job_finish, job_progress
from annotate.projects.models import Membership
from workers.stats.saturation import SaturationInputError, parse_threshold, saturation_report

from .models import SaturationRun
from .selectors import saturation_input

SATURATION_DEFAULTS: dict[str, Any] = {
    "level": "code",
    "subtree": None,
    "coder_mode": "union",
    "coder": None,
    "base_size": 4,
    "run_length": 2,
    "threshold": "1/20",
    "n_orders": 1000,
}


def _new_seed() -> int:
    return secrets.randbelow(2**31)


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
    if p["coder_mode"] == "adjudicated":
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
    if p["subtree"] is not None:
        code = code_get(project_id=project_id, code_id=p["subtree"])
        p["subtree_path"] = code_paths(codebook=codebook_get(project_id=project_id))[code.id]
    return p


def _enqueue(task_name: str, run_id: int, countdown: float = 0) -> None:
    """Send the run's task once the run row is committed (imported late: the tasks import this module)."""
    from workers.tasks import analysis as tasks

    task = getattr(tasks, task_name.removeprefix("analysis."))
    transaction.on_commit(lambda: task.apply_async(args=[run_id], countdown=countdown or None))


def saturation_run_request(*, project, actor, params: dict[str, Any]) -> SaturationRun:
    p = saturation_params_validate(project_id=project.id, params=params)
    seed = p.pop("seed", None)
    with transaction.atomic():
        run = SaturationRun.objects.create(
            project=project, created_by=actor, params=p, seed=seed if seed is not None else _new_seed()
        )
        audit_record(
            project_id=project.id,
            actor=actor,
            action="saturation_run.create",
            obj=run,
            after={"params": p, "seed": run.seed, "automatic": False},
        )
        _enqueue("analysis.saturation_run_compute", run.id)
    return run


def analysis_schedule_automatic(*, project_id: int) -> list:
    """After coding completes: make sure one automatic agreement and one saturation run are pending.

    Debounced: if an automatic run of that kind is already pending, nothing is added (a partial unique
    index guarantees it even under concurrent callers), and the task starts after
    ``INTERCODER_ANALYSIS_DEBOUNCE_S`` so that a burst of codings is computed once.
    """
    created = []
    for model, task_name, defaults in AUTOMATIC_RUNS:
        if model.objects.filter(project_id=project_id, automatic=True, status="pending").exists():
            continue
        try:
            with transaction.atomic():
                run = model.objects.create(
                    project_id=project_id, automatic=True, params=dict(defaults), seed=_new_seed()
                )
                audit_record(
                    project_id=project_id,
                    actor=None,
                    action=f"{model._meta.model_name}.create",
                    obj=run,
                    after={"params": run.params, "seed": run.seed, "automatic": True},
                )
        except IntegrityError:
            continue  # a concurrent caller scheduled it first
        _enqueue(task_name, run.id, countdown=settings.INTERCODER_ANALYSIS_DEBOUNCE_S)
        created.append(run)
    return created


def saturation_run_execute(*, run_id: int) -> None:
    run = job_claim(SaturationRun, run_id)
    if run is None:
        return  # already running or finished elsewhere: a redelivered message
    p = run.params
    data = saturation_input(project_id=run.project_id, coder_mode=p["coder_mode"], coder_id=p.get("coder"))
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
        )
    except SaturationInputError as exc:
        raise ApplicationError(str(exc)) from exc
    job_finish(SaturationRun, run_id, result=report, snapshot=data.snapshot)


AUTOMATIC_RUNS: list[tuple[type, str, dict[str, Any]]] = [
    (SaturationRun, "analysis.saturation_run_compute", SATURATION_DEFAULTS),
]
