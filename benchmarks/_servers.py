"""Servers the HTTP benchmarks start as production does (gunicorn, uvicorn), on loopback, each on a
bench database the script drops and re-creates."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_database_url(suffix: str) -> str:
    """``BENCH_DATABASE_URL``, else ``<DATABASE_URL><suffix>`` (a PostgreSQL one), else a local default."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.split("?")[0] + suffix
    return f"postgres://postgres@127.0.0.1:5432/intercoder{suffix}"


def recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The app's environment as the benchmarks run it: local settings without debug, on the bench database,
    connections kept as production keeps them, only warnings logged."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="annotate.settings.local",
        DJANGO_DEBUG="0",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="600",
        DJANGO_LOG_LEVEL="WARNING",
        INTERCODER_VAR_DIR=str(ROOT / "var" / "bench"),
    )
    env.update(extra)
    return env


def set_up_study(env: dict[str, str], script: str, *args: object) -> dict:
    """Migrate the bench database, then run ``script`` (Django set up, ``args`` in ``sys.argv[1:]``); it
    prints what the benchmark needs as JSON on its last line."""
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [python, "-c", "import django, sys; django.setup(); exec(sys.stdin.read())", *map(str, args)],
        cwd=ROOT,
        env=env,
        input=script,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_server(command: list[str], port: int, *, cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    """Start ``command`` in its own process group; return once it listens on ``port`` (30 s at most)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{command[2]} exited during start-up") from None
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{command[2]} did not start within 30 s")


def server_peak_mb(process: subprocess.Popen) -> float:
    """The peak resident memory of the server's processes (the master and its workers), summed."""
    pids = [process.pid]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
    total = 0.0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
