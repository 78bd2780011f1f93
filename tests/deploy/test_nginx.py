"""The production front, run for real: deploy/nginx's template in Debian's nginx, in front of gunicorn's
sync workers (web) and uvicorn (events), both on production settings and the test database, as
docker-compose.yml wires them (no Docker engine runs here, so the processes run side by side instead).

What it shows: the dashboard's event stream reaches the ASGI process through the proxy and stays open (a
sync worker would end it after one look), a change is pushed down every open stream at once, the open
streams hold no database connection each, and every other request goes to gunicorn.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

from annotate.accounts.services import api_token_create
from annotate.coding.services import coding_create
from annotate.projects.models import Role
from tests.conftest import free_port, stop_worker
from tests.factories import make_code, make_document

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "templates" / "default.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
EVENTS_APP_NAME = "intercoder-events-test"
STREAMS = 20

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _wait_for_port(port: int, process: subprocess.Popen, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited during start-up")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not listen on {port} within {timeout} s")


def _render(template: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst step does: only the given variables, nginx's own left alone."""
    return re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], template)


def _app_env(app_name: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="annotate.settings.production",
        DJANGO_SECRET_KEY="nginx-test-only-0123456789abcdef0123456789abcdef",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REDIS_URL=settings.CACHES["default"]["LOCATION"],
        INTERCODER_TRUSTED_PROXIES="1",
        INTERCODER_EVENTS_CHECK_S="0.2",
        PGAPPNAME=app_name,  # libpq's: names this process's connections in pg_stat_activity
    )
    return env


@pytest.fixture
def front(tmp_path):
    """The three processes; yields the proxy's base URL and the path of gunicorn's access log."""
    if not os.access(NGINX, os.X_OK):
        pytest.fail("needs nginx: run scripts/ensure_system_packages.sh (make test does)")
    web_port, events_port, proxy_port = free_port(), free_port(), free_port()
    access_log = tmp_path / "web-access.log"
    processes = []
    try:
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "annotate.wsgi:application",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                "2",
                "--access-logfile",
                str(access_log),
            ],
            cwd=ROOT,  # gunicorn.conf.py: sync workers, as in production
            env=_app_env("intercoder-web-test"),
            start_new_session=True,
        )
        processes.append(web)
        events = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "annotate.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(events_port),
                "--log-level",
                "warning",
                "--timeout-graceful-shutdown",
                "2",
            ],
            cwd=ROOT,
            env=_app_env(EVENTS_APP_NAME),
            start_new_session=True,
        )
        processes.append(events)
        (tmp_path / "default.conf").write_text(
            _render(
                TEMPLATE.read_text(),
                {
                    "INTERCODER_PROXY_PORT": f"127.0.0.1:{proxy_port}",
                    "INTERCODER_WEB_UPSTREAM": f"127.0.0.1:{web_port}",
                    "INTERCODER_EVENTS_UPSTREAM": f"127.0.0.1:{events_port}",
                },
            )
        )
        # The parts of nginx.conf the official image brings, with this test's own folders.
        (tmp_path / "nginx.conf").write_text(
            ("user root;\n" if os.getuid() == 0 else "")
            + f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log stderr warn;\n"
            "events { worker_connections 256; }\n"
            "http {\n  access_log off;\n"
            + "".join(f"  {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy"))
            + "".join(f"  {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("fastcgi", "uwsgi", "scgi"))
            + f"  include {tmp_path}/default.conf;\n}}\n"
        )
        proxy = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], start_new_session=True
        )
        processes.append(proxy)
        for process, port, name in ((web, web_port, "gunicorn"), (events, events_port, "uvicorn")):
            _wait_for_port(port, process, name)
        _wait_for_port(proxy_port, proxy, "nginx")
        yield f"http://127.0.0.1:{proxy_port}", access_log
    finally:
        for process in reversed(processes):
            stop_worker(process)


class Stream(threading.Thread):
    """One browser's event stream through the proxy: the ids of the events it received, as they come."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.ids: list[str] = []
        self.status: int | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Token {self.token}", "Accept": "text/event-stream"}
        try:
            with httpx.stream("GET", self.url, headers=headers, timeout=30) as response:
                self.status = response.status_code
                for line in response.iter_lines():
                    if line.startswith("id: "):
                        self.ids.append(line[4:])
                    if self.stop.is_set():
                        return
        except httpx.HTTPError:
            if not self.stop.is_set():  # the servers stopping under a finished test's streams is expected
                raise


def _until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def _events_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [EVENTS_APP_NAME])
        return cursor.fetchone()[0]


def test_streams_are_held_by_the_events_process_and_pushed_each_change(front, project_with_members):
    base, access_log = front
    project, users = project_with_members
    owner = users[Role.OWNER]
    document = make_document(project, owner, text="P01: naloxone saves lives.\n\nP01: treatment first.")
    code = make_code(project, owner, name="Harm reduction")
    _, token = api_token_create(user=owner, name="nginx test")

    me = httpx.get(f"{base}/api/v1/auth/me/", headers={"Authorization": f"Token {token}"}, timeout=10)
    assert me.status_code == 200, me.text

    streams = [Stream(f"{base}/api/v1/projects/{project.id}/analysis/events/", token) for _ in range(STREAMS)]
    for stream in streams:
        stream.start()
    _until(lambda: all(s.ids for s in streams), 20, "every stream's first event")
    assert {s.status for s in streams} == {200}
    first = {s.ids[0] for s in streams}
    assert len(first) == 1

    # Held: a sync worker would have ended each stream after that look. Still open a few looks later,
    # with 20 browsers waiting, and holding no database connection each: the requests gave theirs back,
    # and one thread looks for all of them.
    time.sleep(1.0)
    assert all(s.is_alive() for s in streams)
    connections = max(_events_connections() for _ in range(10))
    assert connections <= 1, f"{connections} database connections for {STREAMS} open streams"

    coding_create(project_id=project.id, coder=owner, segment=document.segments.first(), code=code)
    _until(lambda: all(len(s.ids) >= 2 for s in streams), 10, "the change on every open stream")
    assert len({s.ids[1] for s in streams}) == 1
    assert streams[0].ids[1] not in first
    for stream in streams:
        stream.stop.set()

    # Every other request went to gunicorn; no event stream did.
    log = access_log.read_text()
    assert "/api/v1/auth/me/" in log
    assert "/analysis/events/" not in log


def test_the_proxy_accepts_the_largest_upload_the_app_does():
    """nginx refuses a body over client_max_body_size with its own page before the app can say what is
    too large: the bound must be at least the largest request the import limits allow."""
    bound_mb = int(re.search(r"client_max_body_size (\d+)m;", TEMPLATE.read_text()).group(1))
    limits = settings.INTERCODER_IMPORT_LIMITS
    largest = max(
        settings.INTERCODER_IMPORT_MAX_FILES * limits["max_file_bytes"], limits["max_archive_bytes"]
    )
    assert bound_mb * 1024 * 1024 >= largest
