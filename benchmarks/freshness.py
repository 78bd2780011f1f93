"""Benchmark: freshness of the automatic analysis runs, with a real Celery worker on Redis.

Two coders double-code a study through the coding loop's services (next unit → codes → done), in bursts
separated by pauses, as a team's sessions come and go. Completing units schedules the automatic agreement
run (and, when a transcript is complete, the saturation run); a Celery worker started here computes them,
as production runs it (``celery worker --concurrency=2``, with beat for the job dispatcher).

Workload "freshness" (one JSON line):

* ``p95_s`` (``ours_s`` the same figure), ``p50_s``, ``max_s``: per burst, the time from the commit of
  its last coding to the end (``finished_at``) of the first automatic agreement run that started after
  it, so that it counted every coding of the burst. Target: p95 ≤ 5 s.
* ``runs_per_10k``: automatic agreement runs per 10,000 codings over the whole workload (and
  ``saturation_runs_per_10k``). Target: ≤ 20.
* ``codings``, ``bursts``, ``debounce_s`` and ``max_wait_s`` (the settings the run used).

Bursts are 100–250 units (two coders, 1–3 codes each: about 400–1,000 codings), then a pause once the
burst's run has finished. Redis: ``CELERY_BROKER_URL`` (``REDIS_URL``, else redis://127.0.0.1:6379/0).
Database: ``INTERCODER_BENCH_DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/intercoder_bench_freshness``; ``DATABASE_URL`` is ignored), dropped
and created afresh by every run.

Run: ``.venv/bin/python benchmarks/freshness.py [--quick]``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from _harness import ROOT, Measurement, emit, parser

CODES = ["Harm reduction", "Diversion", "Coercive treatment", "Racial equity", "Housing", "Naloxone"]


def _recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _environment(database_url: str, broker: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="annotate.settings.test",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker,
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    return env


def _start_worker(env: dict[str, str], directory: Path) -> subprocess.Popen:
    """The worker (and beat), its log in ``directory``."""
    from annotate.celery import app

    command = [sys.executable, "-m", "celery", "-A", "annotate", "worker", "--concurrency=2"]
    command += [
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "-B",
        "-s",
        str(directory / "beat"),
    ]
    command += ["-n", f"freshness-{os.getpid()}@%h"]
    with (directory / "worker.log").open("ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return process
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited during start-up")
    _stop(process)
    raise RuntimeError("the Celery worker did not answer a ping within 60 s")


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def _study(documents: int, segments: int):
    """A project with two coders, its codes, and every segment planned for both (one segment a unit)."""
    from annotate.assignments.services import assignment_plan_apply
    from annotate.projects.models import Role
    from tests.factories import ProjectFactory, UserFactory, make_case, make_code, make_document

    owner = UserFactory(username="bench-pi")
    project = ProjectFactory(creator=owner, name="Freshness")
    coders = [UserFactory(username=name) for name in ("ana", "ben")]
    for coder in coders:
        project.add_member(coder, Role.CODER)
    codes = [make_code(project, owner, name=name).pk for name in CODES]
    for d in range(documents):
        text = "\n\n".join(f"P{d:03}: turn {i} of interview {d}, on diversion." for i in range(segments))
        make_document(project, owner, case=make_case(project, owner, f"P{d:03}"), text=text)
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={"unit_type": "segment", "coders": [{"user": c.pk} for c in coders], "overlap": 2},
    )
    return project, coders, codes


def _code_one(project, coder, codes: list[int], rng: random.Random) -> int:
    """The coder's next unit, 1–3 codes on it, done: the number of codings applied (0: nothing left)."""
    from annotate.coding.rules import CodingSpec
    from annotate.coding_loop.codings import coding_set_replace
    from annotate.coding_loop.done import assignment_done
    from annotate.coding_loop.queue import queue_next

    assignment = queue_next(project_id=project.id, user=coder)
    if assignment is None:
        return 0
    chosen = rng.sample(codes, rng.randint(1, 3))
    coding_set_replace(
        project_id=project.id,
        coder=coder,
        segment=assignment.segment_id,
        codings=[CodingSpec(code_id=c) for c in chosen],
        version=0,
    )
    assignment_done(project_id=project.id, user=coder, segment_id=assignment.segment_id)
    return len(chosen)


def _fresh_run(project, since: dt.datetime, timeout: float = 120.0):
    """The first automatic agreement run started at or after ``since`` once it has finished."""
    from annotate.analysis.models import AgreementRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = (
            AgreementRun.objects.filter(project=project, automatic=True, started_at__gte=since)
            .order_by("started_at")
            .first()
        )
        if run is not None and run.finished_at is not None:
            if run.status != "done":
                raise RuntimeError(f"automatic agreement run {run.id} ended {run.status}: {run.error}")
            return run
        time.sleep(0.1)
    raise RuntimeError(f"no automatic agreement run finished within {timeout} s of a burst's end")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--bursts", type=int, default=20)
    args = args_parser.parse_args()
    bursts, units, documents, segments = args.bursts, (100, 250), 80, 50
    if args.quick:
        bursts, units, documents, segments = 2, (5, 10), 2, 10
    database = os.environ.get(
        "INTERCODER_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/intercoder_bench_freshness"
    )
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    env = _environment(database, broker)
    os.environ.update(env)
    _recreate_database(database)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from annotate.analysis.models import AgreementRun, SaturationRun
    from annotate.celery import app

    app.conf.task_always_eager = False
    call_command("migrate", verbosity=0, interactive=False)
    project, coders, codes = _study(documents, segments)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    worker = _start_worker(env, Path(tempfile.mkdtemp(prefix="intercoder-freshness-")))
    rng = random.Random(17)
    latencies: list[float] = []
    codings = 0
    try:
        for _ in range(bursts):
            for _ in range(rng.randint(*units)):
                for coder in coders:
                    codings += _code_one(project, coder, codes, rng)
            last = timezone.now()  # the burst's last coding has committed
            run = _fresh_run(project, last)
            latencies.append((run.finished_at - last).total_seconds())
            time.sleep(rng.uniform(0.5, 2.0))
    finally:
        _stop(worker)
    automatic = {"automatic": True, "project": project}
    agreement_runs = AgreementRun.objects.filter(**automatic).count()
    saturation_runs = SaturationRun.objects.filter(**automatic).count()
    p95 = _percentile(latencies, 0.95)
    emit(
        "freshness",
        Measurement(seconds=p95, peak_mb=0.0, result=None),
        p95_s=round(p95, 3),
        p50_s=round(_percentile(latencies, 0.5), 3),
        max_s=round(max(latencies), 3),
        runs_per_10k=round(agreement_runs / codings * 10_000, 1),
        saturation_runs_per_10k=round(saturation_runs / codings * 10_000, 1),
        agreement_runs=agreement_runs,
        saturation_runs=saturation_runs,
        codings=codings,
        bursts=bursts,
        debounce_s=settings.INTERCODER_ANALYSIS_DEBOUNCE_S,
        max_wait_s=settings.INTERCODER_ANALYSIS_MAX_WAIT_S,
        target_p95_s=5,
        target_runs_per_10k=20,
    )


if __name__ == "__main__":
    main()
