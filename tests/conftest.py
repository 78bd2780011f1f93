"""Shared fixtures: users and projects by role, API clients, and a real Celery worker when a test needs one."""

import os
import signal
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


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker process on Redis, reading the same test database. Tests using it commit
    their data (transactional_db) so the worker can see it."""
    from annotate.celery import app

    db_name = connection.settings_dict["NAME"]
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="annotate.settings.test",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        CELERY_TASK_ALWAYS_EAGER="0",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
    )
    app.conf.task_always_eager = False
    # Drop messages left by an earlier run so the worker starts clean.
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "annotate",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5):
                break
            if process.poll() is not None:
                raise RuntimeError("the Celery worker exited during start-up")
        else:
            raise RuntimeError("the Celery worker did not answer a ping within 30 s")
        yield process
    finally:
        app.conf.task_always_eager = True
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
