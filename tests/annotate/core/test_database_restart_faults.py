"""PostgreSQL restarted while coders code: the app answers 503 with a message and ``Retry-After`` (never
500) while the database cannot be reached, and coders whose clients send a refused request again get
every coding in, once.

The database is a private PostgreSQL instance (initdb in a temporary directory, its own port), never the
shared server; the app runs as production runs it (gunicorn, repository settings) against it, and the
coders are HTTP clients with API tokens, one thread each. ``make faults`` runs the long form
(``FAULTS_LONG=1``: more coders, a 15 s outage)."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.annotate.core.test_jobs_faults import LONG, record
from tests.conftest import ROOT, free_port

pytestmark = [pytest.mark.slow]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
OUTAGE_S = 15 if LONG else 3
CODERS, UNITS_PER_CODER = (20, 50) if LONG else (5, 20)


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, free_port()
        self.data = directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/intercoder"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(
            as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]),
            check=True,
            capture_output=True,
        )
        self.start()
        subprocess.run(
            as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "intercoder"]),
            check=True,
        )

    def ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"), "-w"]
        subprocess.run(as_postgres([*command, "-o", options, *args]), check=True, capture_output=True)

    def start(self) -> None:
        self.ctl("start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "stop")


@pytest.fixture
def private_postgres():
    if not (PG_BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15's server programs are not installed")
    directory = Path(tempfile.mkdtemp(prefix="intercoder-pg-"))
    server = PrivatePostgres(directory)
    try:
        server.init()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(directory, ignore_errors=True)


SETUP = r"""
import json, sys
from annotate.accounts.services import api_token_create
from annotate.assignments.services import assignment_plan_apply
from tests.annotate.assignments.test_concurrency import pool_project

coders, units = int(sys.argv[1]), int(sys.argv[2])
project, owner, users, codes = pool_project(coders, -(-coders * units // 20), 10)
assignment_plan_apply(project=project, actor=owner, data={
    "unit_type": "segment", "coders": [{"user": u.pk, "weight": 1.0} for u in users], "overlap": 2,
    "sample_fraction": None, "stratify_by": "", "seed": 1})
tokens = {u.pk: api_token_create(user=u, name="faults")[1] for u in users}
print(json.dumps({"project": project.id, "codes": [c.pk for c in codes], "tokens": tokens}))
"""


@pytest.fixture
def app_server(private_postgres, tmp_path):
    """The app under gunicorn on the private database; returns (base URL, study)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "annotate.settings.local",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": private_postgres.url,
        "DJANGO_LOG_LEVEL": "WARNING",
        "INTERCODER_VAR_DIR": str(tmp_path / "var"),
        # No worker here: sends after commit are refused at once, which the app logs and survives.
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",
        "WEB_CONCURRENCY": "4",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [
            python,
            "-c",
            "import django, sys; django.setup(); exec(sys.stdin.read())",
            str(CODERS),
            str(UNITS_PER_CODER),
        ],
        cwd=ROOT,
        env=env,
        input=SETUP,
        capture_output=True,
        text=True,
        check=True,
    )
    study = json.loads(out.stdout.strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "annotate.wsgi:application", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/auth/me/").status_code < 500:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}", study, env
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


class Clients:
    """What the coders' clients saw, and the codings the server acknowledged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.unavailable: list[tuple[str, str | None]] = []  # (detail, Retry-After) of each 503
        self.acknowledged: set[tuple[int, int, int]] = set()
        self.units = 0
        self.errors: list[str] = []

    def send(self, client, method: str, url: str, **kwargs):
        """Send until the server answers other than 503, as a client honouring 503 would (waiting less
        than Retry-After asks, to keep the test short)."""
        import httpx

        for _ in range(600):
            try:
                response = client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                with self.lock:
                    self.errors.append(f"{method} {url}: {exc!r}")
                time.sleep(0.1)
                continue
            with self.lock:
                self.statuses[response.status_code] += 1
                if response.status_code == 503:
                    self.unavailable.append(
                        (response.json().get("detail", ""), response.headers.get("Retry-After"))
                    )
                elif response.status_code >= 400:
                    self.errors.append(f"{method} {url}: {response.status_code} {response.text[:300]}")
            if response.status_code != 503:
                return response
            time.sleep(0.1)
        raise AssertionError(f"{method} {url}: 503 for a minute")


def coder_loop(base_url: str, project: int, token: str, coder: int, codes: list[int], seen: Clients) -> None:
    import httpx

    base = f"/api/v1/projects/{project}"
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Token {token}"}, timeout=30) as client:
        while True:
            response = seen.send(client, "GET", f"{base}/queue/next/")
            if response.status_code != 200 or response.json()["unit"] is None:
                return
            unit = response.json()["unit"]
            segment = unit["segment"]["id"]
            chosen = [codes[(segment + k) % len(codes)] for k in range(2)]
            body = {"version": unit["codings"]["version"], "codings": [{"code": c} for c in chosen]}
            response = seen.send(client, "PUT", f"{base}/segments/{segment}/codings/", json=body)
            if response.status_code != 200:
                return
            with seen.lock:
                seen.acknowledged.update((coder, segment, c["code"]) for c in response.json()["codings"])
            if seen.send(client, "POST", f"{base}/assignments/{segment}/done/").status_code != 200:
                return
            with seen.lock:
                seen.units += 1


def test_a_database_restart_during_coding_answers_503_and_retried_requests_get_every_coding_in(
    private_postgres, app_server
):
    base_url, study, env = app_server
    seen = Clients()
    threads = [
        threading.Thread(
            target=coder_loop, args=(base_url, study["project"], token, int(coder), study["codes"], seen)
        )
        for coder, token in study["tokens"].items()
    ]
    for thread in threads:
        thread.start()
    total_units = CODERS * UNITS_PER_CODER
    deadline = time.monotonic() + 60
    while seen.units < total_units // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    private_postgres.stop()
    stopped = time.monotonic()
    time.sleep(OUTAGE_S)
    private_postgres.start()
    back = time.monotonic()
    for thread in threads:
        thread.join(timeout=300)
    outage_s = back - stopped

    assert seen.statuses[500] == 0, seen.errors[:5]
    assert set(seen.statuses) <= {200, 503}, (seen.statuses, seen.errors[:5])
    assert seen.unavailable, "no request met the restart: the test proved nothing"
    for detail, retry_after in seen.unavailable:
        assert "database cannot be reached" in detail
        assert retry_after is not None
        assert int(retry_after) > 0

    import psycopg

    with psycopg.connect(private_postgres.url) as conn:
        rows = conn.execute("SELECT coder_id, segment_id, code_id FROM coding_coding").fetchall()
        done = conn.execute("SELECT count(*) FROM assignments_assignment WHERE status = 'done'").fetchone()[0]
    assert len(rows) == len(set(rows)), "a coding was written twice"
    assert set(rows) == seen.acknowledged
    assert done == seen.units
    assert seen.units >= 0.9 * total_units
    verified = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stderr
    record(
        "PostgreSQL restarted during coding",
        coders=CODERS,
        outage_s=outage_s,
        requests=sum(seen.statuses.values()),
        responses_503=seen.statuses[503],
        responses_500=seen.statuses[500],
        codings=len(rows),
    )
