"""Agreement (on segments and on spans) and saturation runs. Thin: the services load the snapshot, call workers.stats and store."""

from celery import shared_task
from django.conf import settings

from annotate.analysis.models import AgreementRun, SaturationRun, SpanAgreementRun
from annotate.analysis.services import (
    agreement_run_execute,
    saturation_run_execute,
    span_agreement_run_execute,
)

from .base import RunTask


@shared_task(
    base=RunTask,
    job_model=SaturationRun,
    name="analysis.saturation_run_compute",
    soft_time_limit=getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", 300),
)
def saturation_run_compute(run_id: int) -> None:
    saturation_run_execute(run_id=run_id)


@shared_task(
    base=RunTask,
    job_model=AgreementRun,
    name="analysis.agreement_run_compute",
    soft_time_limit=getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", 300),
)
def agreement_run_compute(run_id: int) -> None:
    agreement_run_execute(run_id=run_id)


@shared_task(
    base=RunTask,
    job_model=SpanAgreementRun,
    name="analysis.span_agreement_run_compute",
    soft_time_limit=getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", 300),
)
def span_agreement_run_compute(run_id: int) -> None:
    span_agreement_run_execute(run_id=run_id)
