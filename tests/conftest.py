"""Shared fixtures: users and projects by role, API clients, and a real Celery worker when a test needs one."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import TransactionTestCase
from rest_framework.test import APIClient

from annotate.projects.models import Role
from tests.factories import ProjectFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
ROLES = [Role.OWNER, Role.ADJUDICATOR, Role.CODER, Role.VIEWER]


def pytest_configure(config):
    # Flushing tables between transactional tests uses TRUNCATE, which the append-only triggers reject (as
    # they should). Test teardown flushes the way a database administrator would: with ordinary triggers
    # switched off for that one session (session_replication_role = replica, superuser only).
    original = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            original(self)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    TransactionTestCase._fixture_teardown = _fixture_teardown


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in Redis; every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    return


@pytest.fixture
def project_with_members(db):
    """A project whose creator is owner, plus one member per other role and one outsider."""
    owner = UserFactory(username="owner")
    project = ProjectFactory(creator=owner)
    users = {Role.OWNER: owner}
    for role in (Role.ADJUDICATOR, Role.CODER, Role.VIEWER):
        user = UserFactory(username=str(role))
        project.add_member(user, role)
        users[role] = user
    users["outsider"] = UserFactory(username="outsider")
    return project, users


@pytest.fixture
def api_client_for():
    """``api_client_for(user)`` → an APIClient authenticated as that user (None: anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


# The test stack's job timings (annotate.core.jobs), short so that a lost message or worker is recovered
# within seconds: every worker started here runs the dispatcher (beat) at this pace.
JOB_TIMINGS = {
    "INTERCODER_JOB_DISPATCH_INTERVAL_S": 1.0,
    "INTERCODER_JOB_RESEND_AFTER_S": 3.0,
    "INTERCODER_JOB_LEASE_S": 4.0,
    "INTERCODER_JOB_HEARTBEAT_S": 0.5,
}


@contextlib.contextmanager
def app_broker(url: str):
    """Point this process's Celery app at the broker ``url`` for the block (it lets go of its connection
    pools on the way in and out, so no connection to the other broker is used)."""
    from annotate.celery import app

    def drop_pools():  # not closed: kombu keeps each broker's pool in a registry for its next use
        app._after_fork()

    keys = ("broker_url", "broker_read_url", "broker_write_url")
    previous = {key: app.conf[key] for key in keys}
    drop_pools()
    app.conf.update(dict.fromkeys(keys, url))
    try:
        yield app
    finally:
        drop_pools()
        app.conf.update(previous)


def free_port() -> int:
    """A loopback port free now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_worker(
    broker_url: str,
    *,
    db_name: str,
    schedule: Path,
    pool: str = "solo",
    concurrency: int = 1,
    beat: bool = True,
    name: str = "test",
    env: dict[str, str] | None = None,
    ready_timeout: float = 30,
) -> subprocess.Popen:
    """A real Celery worker process (with the dispatcher, ``-B``, unless ``beat`` is False) on
    ``broker_url``, reading the test database ``db_name``, in its own process group. Returns once it
    answers a ping, within ``ready_timeout`` seconds (the caller's app must point at the same broker:
    ``app_broker``)."""
    from annotate.celery import app

    full_env = dict(os.environ)
    full_env.update(
        DJANGO_SETTINGS_MODULE="annotate.settings.test",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        CELERY_TASK_ALWAYS_EAGER="0",
        CELERY_BROKER_URL=broker_url,
        CELERY_BEAT_SCHEDULE_FILENAME=str(schedule),
        **{key: str(value) for key, value in JOB_TIMINGS.items()},
    )
    full_env.update(env or {})
    hostname = f"{name}-{os.getpid()}-{time.monotonic_ns()}@%h"
    command = [sys.executable, "-m", "celery", "-A", "annotate", "worker", f"--pool={pool}"]
    command += [f"--concurrency={concurrency}", "--loglevel=WARNING", "--without-gossip", "--without-mingle"]
    command += ["-n", hostname, *(["-B"] if beat else [])]
    process = subprocess.Popen(command, cwd=ROOT, env=full_env, start_new_session=True)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return process
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited during start-up")
    stop_worker(process)
    raise RuntimeError(f"the Celery worker did not answer a ping within {ready_timeout} s")


def stop_worker(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def purge_queue(app) -> None:
    """Drop messages left by an earlier run so a worker starts clean."""
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path):
    """A real Celery worker process on Redis, with the job dispatcher (beat) at the test stack's pace
    (``JOB_TIMINGS``), reading the same test database. Tests using it commit their data
    (transactional_db) so the worker can see it."""
    from annotate.celery import app

    for key, value in JOB_TIMINGS.items():
        setattr(settings, key, value)
    app.conf.task_always_eager = False
    purge_queue(app)
    process = start_worker(
        settings.CELERY_BROKER_URL, db_name=connection.settings_dict["NAME"], schedule=tmp_path / "beat"
    )
    try:
        yield process
    finally:
        app.conf.task_always_eager = True
        stop_worker(process)
