"""The job life cycle under faults, with a real Redis, real Celery workers (with beat, the dispatcher) and
PostgreSQL. In ``make test`` these are the short forms, with the test stack's job timings
(tests/conftest.py ``JOB_TIMINGS``); ``make faults`` (scripts/faults.py) runs them with ``FAULTS_LONG=1``:
the shipped job timings, a 30 s broker outage and ten times the work, and collects the figures each test
records into ``FAULTS_RESULTS``.

Each test starts its own redis-server on a free port, so stopping the broker never touches the shared
one, and its own workers on it."""

import io
import json
import os
import signal
import socket
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from annotate.core.models import JobStatus
from annotate.documents.models import Document, ImportJob
from annotate.exports.models import ExportJob
from tests.conftest import JOB_TIMINGS, app_broker, free_port, purge_queue, start_worker, stop_worker
from tests.factories import ProjectFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.slow]

REDIS_SERVER = "/usr/bin/redis-server"
LONG = os.environ.get("FAULTS_LONG") == "1"
OUTAGE_S = 30 if LONG else 2
FILES = 2000 if LONG else 300
WAIT_S = 240 if LONG else 120


def record(scenario: str, **figures: float) -> None:
    """Report a scenario's figures (seconds): printed, and appended to ``FAULTS_RESULTS`` if set."""
    line = {"scenario": scenario, **{key: round(value, 1) for key, value in figures.items()}}
    print(json.dumps(line))
    if os.environ.get("FAULTS_RESULTS"):
        with open(os.environ["FAULTS_RESULTS"], "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


class PrivateRedis:
    """A redis-server of this test's own, without persistence, that the test may stop and start."""

    def __init__(self, directory: Path) -> None:
        self.port, self.directory, self.process = free_port(), directory, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    if not os.path.exists(REDIS_SERVER):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack(transactional_db, settings, tmp_path, redis_server):
    """This process and a worker factory on the private broker; every worker is stopped at the end."""
    from annotate.celery import app

    if LONG:  # the shipped timings, in this process and in the workers
        shipped = {key: str(getattr(settings, key)) for key in JOB_TIMINGS}
    else:
        shipped = {}
        for key, value in JOB_TIMINGS.items():
            setattr(settings, key, value)
    workers = []

    def worker(**options):
        process = start_worker(
            redis_server.url,
            db_name=connection.settings_dict["NAME"],
            schedule=tmp_path / f"beat-{len(workers)}",
            env=shipped,
            **options,
        )
        workers.append(process)
        return process

    app.conf.task_always_eager = False
    with app_broker(redis_server.url):
        purge_queue(app)
        try:
            yield worker
        finally:
            app.conf.task_always_eager = True
            for process in workers:
                stop_worker(process)


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def finished(model, pk):
    job = model.objects.get(pk=pk)
    return job if job.status in (JobStatus.DONE, JobStatus.FAILED) else None


def test_writes_while_the_broker_is_down_succeed_and_their_jobs_run_once_it_is_back(
    stack, redis_server, api_client_for
):
    stack()
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    client = api_client_for(owner)

    redis_server.stop()
    started = time.monotonic()
    export = client.post(f"/api/v1/projects/{project.id}/exports/", {"kind": "audit"}, format="json")
    upload = client.post(
        f"/api/v1/projects/{project.id}/imports/",
        {"files": [SimpleUploadedFile("batch.zip", zip_of(5))]},
        format="multipart",
    )
    request_s = (time.monotonic() - started) / 2
    assert (export.status_code, upload.status_code) == (202, 202), (export.content, upload.content)
    jobs = [ExportJob.objects.get(pk=export.json()["id"]), ImportJob.objects.get(pk=upload.json()["id"])]
    for job in jobs:
        assert (job.status, job.dispatched_at) == (JobStatus.PENDING, None)
    assert request_s < 10

    time.sleep(OUTAGE_S)  # the broker stays down a while; nothing is lost meanwhile
    redis_server.start()
    back = time.monotonic()
    for job in jobs:
        done = wait_for(lambda j=job: finished(type(j), j.pk), timeout=WAIT_S, what=f"{job} after the outage")
        assert done.status == JobStatus.DONE, done.error
        assert done.dispatched_at is not None
    # With the shipped timings the dispatcher's next tick sends them: done within a minute.
    assert time.monotonic() - back < 60
    record(
        "broker down during writes",
        outage_s=OUTAGE_S,
        request_s=request_s,
        done_after_return_s=time.monotonic() - back,
    )


def zip_of(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(count):
            turns = "\n\n".join(
                f"P{i:04d}: answer {j} of interview {i}, about harm reduction." for j in range(40)
            )
            archive.writestr(f"P{i:04d}.txt", f"Interviewer: How did it start?\n\n{turns}")
    return buffer.getvalue()


def start_import(api_client_for, count: int) -> ImportJob:
    owner = UserFactory(username="importer")
    project = ProjectFactory(creator=owner)
    response = api_client_for(owner).post(
        f"/api/v1/projects/{project.id}/imports/",
        {"files": [SimpleUploadedFile("batch.zip", zip_of(count))]},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    return ImportJob.objects.get(pk=response.json()["id"])


def running_with_progress(job: ImportJob) -> ImportJob | None:
    job = ImportJob.objects.get(pk=job.pk)
    return job if job.status == JobStatus.RUNNING and job.progress > 0 else None


def assert_imported_once(job: ImportJob, count: int) -> None:
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE, job.error
    titles = list(Document.objects.filter(project_id=job.project_id).values_list("title", flat=True))
    assert sorted(titles) == [f"P{i:04d}" for i in range(count)]  # every file, none twice


def test_a_task_whose_process_is_killed_is_redelivered_and_takes_its_own_row_back(stack, api_client_for):
    """The pool process running the import is SIGKILLed (as the out-of-memory killer would): the worker
    puts the message back (reject_on_worker_lost), the redelivery carries the same task id and takes
    its running row back at once, without waiting for the lease."""
    from annotate.celery import app

    stack(pool="prefork", concurrency=1)
    job = start_import(api_client_for, FILES)
    job = wait_for(lambda: running_with_progress(job), timeout=60, what="the import to make progress")
    (active,) = (task for tasks in app.control.inspect(timeout=2).active().values() for task in tasks)
    os.kill(active["worker_pid"], signal.SIGKILL)
    killed = time.monotonic()

    wait_for(
        lambda: finished(ImportJob, job.pk), timeout=WAIT_S, what="the import after its process was killed"
    )
    assert_imported_once(job, FILES)
    job = ImportJob.objects.get(pk=job.pk)
    assert (job.attempts, job.claimed_by) == (2, active["id"])
    record("pool process SIGKILLed mid-import", files=FILES, done_after_kill_s=time.monotonic() - killed)


def test_a_job_whose_whole_worker_is_killed_is_handed_to_another_after_its_lease(
    stack, api_client_for, settings
):
    """The whole worker (pool and beat) is SIGKILLed mid-import; its message stays unacknowledged in
    Redis. Another worker's dispatcher finds the row's heartbeat stopped and sends it again."""
    first = stack()
    job = start_import(api_client_for, FILES)
    wait_for(lambda: running_with_progress(job), timeout=60, what="the import to make progress")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = time.monotonic()

    stack()
    wait_for(
        lambda: finished(ImportJob, job.pk), timeout=WAIT_S, what="the import after its worker was killed"
    )
    assert_imported_once(job, FILES)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.attempts == 2
    record("whole worker SIGKILLed mid-import", files=FILES, done_after_kill_s=time.monotonic() - killed)


def test_after_a_database_blip_the_tasks_retry_takes_its_own_row_back(stack, api_client_for):
    """The worker's database connections are cut mid-import (as a failover or a restarted pooler
    would): the task fails with a transient error, Celery retries it under the same task id, and the
    retry takes its own running row back and finishes the import."""
    stack()
    job = start_import(api_client_for, FILES)
    job = wait_for(lambda: running_with_progress(job), timeout=60, what="the import to make progress")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    cut = time.monotonic()
    wait_for(lambda: finished(ImportJob, job.pk), timeout=WAIT_S, what="the import after the database blip")
    assert_imported_once(job, FILES)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.attempts == 2
    record("database connections cut mid-import", files=FILES, done_after_cut_s=time.monotonic() - cut)


# The coding loop under faults. Coders work through the API (queue/next → codes → done), each from a
# thread of this process with its own connection, while the broker is stopped or the worker is killed.
# Every coder puts two codes on each unit, so the codings a coder was told are saved are two per
# acknowledged PUT; the rows written must be exactly those.

CODES_PER_UNIT = 2
CODER_THREADS = 16  # at most this many coders' requests in flight at once (PostgreSQL connections)


def coding_study(*, coders: int, units_per_coder: int):
    """A project with ``coders`` coders and ``coders * units_per_coder / 2`` segments in transcripts of
    10 (so completing them schedules saturation too), each segment coded by two of them; returns the
    project, its owner, the coders and the code ids."""
    from annotate.assignments.services import assignment_plan_apply
    from tests.annotate.assignments.test_concurrency import pool_project

    project, owner, users, codes = pool_project(coders, -(-coders * units_per_coder // 20), 10)
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={
            "unit_type": "segment",
            "coders": [{"user": user.pk, "weight": 1.0} for user in users],
            "overlap": 2,
            "sample_fraction": None,
            "stratify_by": "",
            "seed": 1,
        },
    )
    return project, owner, users, [code.pk for code in codes]


class Tally:
    """What the clients saw: every status code, and the codings the server acknowledged."""

    def __init__(self) -> None:
        import collections
        import threading

        self.lock = threading.Lock()
        self.statuses: collections.Counter[int] = collections.Counter()
        self.acknowledged: set[tuple[int, int, int]] = set()  # (coder, segment, code)
        self.units = 0
        self.failures: list[str] = []

    def saw(self, response, what: str) -> bool:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 400 and len(self.failures) < 5:
                self.failures.append(f"{what}: {response.status_code} {response.content[:300]!r}")
        return response.status_code < 400


def code_units(api_client_for, project_id: int, coders, codes: list[int], tally: Tally) -> None:
    """Coders take turns, one unit each, until none of them has a unit left."""
    from django.db import connections

    clients = {coder.pk: api_client_for(coder) for coder in coders}
    left = {coder.pk for coder in coders}
    base = f"/api/v1/projects/{project_id}"
    try:
        while left:
            for coder_id in list(left):
                client = clients[coder_id]
                response = client.get(f"{base}/queue/next/")
                unit = response.json()["unit"] if tally.saw(response, "next") else None
                if unit is None:
                    left.discard(coder_id)
                    continue
                segment = unit["segment"]["id"]
                chosen = [codes[(segment + k) % len(codes)] for k in range(CODES_PER_UNIT)]
                body = {"version": unit["codings"]["version"], "codings": [{"code": c} for c in chosen]}
                response = client.put(f"{base}/segments/{segment}/codings/", body, format="json")
                if tally.saw(response, "codings"):
                    with tally.lock:
                        tally.acknowledged.update(
                            (coder_id, segment, c["code"]) for c in response.json()["codings"]
                        )
                response = client.post(f"{base}/assignments/{segment}/done/")
                if tally.saw(response, "done"):
                    with tally.lock:
                        tally.units += 1
    finally:
        connections.close_all()  # this thread's connections


def code_in_threads(api_client_for, project_id: int, coders, codes: list[int]) -> Tally:
    import threading

    tally = Tally()
    groups = [coders[i::CODER_THREADS] for i in range(min(CODER_THREADS, len(coders)))]
    threads = [
        threading.Thread(target=code_units, args=(api_client_for, project_id, group, codes, tally))
        for group in groups
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def assert_codings_as_acknowledged(project_id: int, tally: Tally) -> int:
    from annotate.coding.models import Coding

    rows = list(Coding.objects.filter(project_id=project_id).values_list("coder_id", "segment_id", "code_id"))
    assert len(rows) == len(set(rows)), "a coding was written twice"
    assert set(rows) == tally.acknowledged, (
        f"{len(tally.acknowledged - set(rows))} acknowledged codings lost, "
        f"{len(set(rows) - tally.acknowledged)} written but not acknowledged"
    )
    return len(rows)


def assert_units_done_as_acknowledged(project_id: int, tally: Tally) -> None:
    """Every unit whose "done" was acknowledged is done, and no other; nearly all the study is coded
    (the plan's quotas may leave a last slot that only a coder who coded that unit could take)."""
    from annotate.assignments.models import Assignment, AssignmentStatus

    done = Assignment.objects.filter(project_id=project_id, status=AssignmentStatus.DONE).count()
    assert done == tally.units
    assert done >= 0.9 * Assignment.objects.filter(project_id=project_id).count()
    assert len(tally.acknowledged) == tally.units * CODES_PER_UNIT


def analysis_runs(project_id: int) -> list:
    from annotate.analysis.models import AgreementRun, SaturationRun

    return [
        *AgreementRun.objects.filter(project_id=project_id).order_by("id"),
        *SaturationRun.objects.filter(project_id=project_id).order_by("id"),
    ]


def all_runs_finished(project_id: int) -> list | None:
    runs = analysis_runs(project_id)
    return runs if all(run.status in (JobStatus.DONE, JobStatus.FAILED) for run in runs) else None


def assert_runs_ended_well(runs: list) -> None:
    """Every run done, but for automatic runs superseded by a newer one (failed, saying so); the newest
    automatic run of each kind is done."""
    for run in runs:
        if run.status == JobStatus.FAILED:
            assert run.automatic, (run, run.error)
            assert run.error.startswith("Superseded by automatic run"), (run, run.error)
        else:
            assert run.status == JobStatus.DONE, (run, run.status, run.error)
    for kind in {type(run) for run in runs}:
        automatic = [run for run in runs if type(run) is kind and run.automatic]
        assert automatic, kind
        assert automatic[-1].status == JobStatus.DONE, (kind, automatic[-1].error)


def assert_audit_chain_verifies(project_id: int) -> None:
    from annotate.audit.selectors import audit_chain_breaks

    assert list(audit_chain_breaks(project_id=project_id)) == []


def test_coding_and_analysis_requests_succeed_while_the_broker_is_down(
    stack, redis_server, api_client_for, settings
):
    """The broker is stopped while coders code and submit units (which schedules automatic analysis) and
    the PI asks for analysis runs: the coding loop needs no broker, so every request succeeds, the runs
    wait pending and unsent, and after the broker is back every one of them is done."""
    if not LONG:
        settings.INTERCODER_ANALYSIS_DEBOUNCE_S = 1.0
    stack()
    coders, units = (20, 50) if LONG else (4, 10)
    project, owner, users, codes = coding_study(coders=coders, units_per_coder=units)
    pi = api_client_for(owner)
    base = f"/api/v1/projects/{project.id}/analysis"

    redis_server.stop()
    down = time.monotonic()
    tally = code_in_threads(api_client_for, project.id, users, codes)
    requested = [pi.post(f"{base}/{kind}/runs/", {}, format="json") for kind in ("agreement", "saturation")]
    for response in requested:
        tally.saw(response, "analysis run")
        assert response.status_code == 202, response.content
        assert response.json()["status"] == JobStatus.PENDING
    assert tally.statuses[500] == 0, tally.failures
    assert set(tally.statuses) <= {200, 202}, (tally.statuses, tally.failures)
    codings = assert_codings_as_acknowledged(project.id, tally)
    assert_units_done_as_acknowledged(project.id, tally)
    unsent = [run for run in analysis_runs(project.id) if run.status == JobStatus.PENDING]
    assert unsent
    assert all(run.dispatched_at is None for run in unsent)
    assert {run.automatic for run in unsent} == {True, False}  # both asked for and scheduled runs wait

    time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down)))
    outage_s = time.monotonic() - down
    redis_server.start()
    back = time.monotonic()
    runs = wait_for(lambda: all_runs_finished(project.id), timeout=WAIT_S, what="every run after the outage")
    done_after_return_s = time.monotonic() - back
    assert_runs_ended_well(runs)
    assert done_after_return_s < 60
    assert_audit_chain_verifies(project.id)
    record(
        "broker down during coding and analysis requests",
        outage_s=outage_s,
        requests=sum(tally.statuses.values()),
        codings=codings,
        responses_500=tally.statuses[500],
        runs=len(runs),
        done_after_return_s=done_after_return_s,
    )


def test_a_burst_of_codings_loses_nothing_while_the_worker_is_killed_again_and_again(
    stack, api_client_for, settings
):
    """Many coders code at once while the Celery worker (with its dispatcher) is SIGKILLed every few
    seconds and started again: every acknowledged coding is written once, no request fails, and every
    analysis run ends done or failed with a reason within two minutes of the last kill."""
    import threading

    if not LONG:
        settings.INTERCODER_ANALYSIS_DEBOUNCE_S = 1.0
    coders, units, kill_every_s = (50, 100, 10.0) if LONG else (10, 50, 2.0)
    project, _, users, codes = coding_study(coders=coders, units_per_coder=units)
    worker = stack()

    result: dict[str, Tally] = {}
    burst = threading.Thread(
        target=lambda: result.update(tally=code_in_threads(api_client_for, project.id, users, codes))
    )
    started = time.monotonic()
    burst.start()
    kills = 0
    while True:
        burst.join(timeout=kill_every_s)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        kills += 1
        last_kill = time.monotonic()
        worker = stack(ready_timeout=120)  # the burst loads the machine: a start can take a while
        if not burst.is_alive():
            break
    burst_s = time.monotonic() - started
    tally = result["tally"]
    assert tally.statuses[500] == 0, tally.failures
    assert set(tally.statuses) == {200}, (tally.statuses, tally.failures)
    codings = assert_codings_as_acknowledged(project.id, tally)
    assert_units_done_as_acknowledged(project.id, tally)

    runs = wait_for(
        lambda: all_runs_finished(project.id), timeout=WAIT_S, what="every run after the last kill"
    )
    finished_after_last_kill_s = time.monotonic() - last_kill
    assert_runs_ended_well(runs)
    assert finished_after_last_kill_s < 120
    assert_audit_chain_verifies(project.id)
    record(
        "burst of codings while the worker is killed",
        coders=coders,
        codings=codings,
        burst_s=burst_s,
        kills=kills,
        responses_500=tally.statuses[500],
        runs=len(runs),
        failed_runs=sum(run.status == JobStatus.FAILED for run in runs),
        runs_claimed_again=sum(run.attempts > 1 for run in runs),
        finished_after_last_kill_s=finished_after_last_kill_s,
    )
