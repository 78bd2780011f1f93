"""The coding loop's hand-written SQL on SQLite, the embedded default of ``make run``: claims, the set's
PUT with its version check, done and reopen, through the endpoints, in a process with the local settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_coding_loop_runs_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="annotate.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'intercoder.sqlite3'}",
        INTERCODER_VAR_DIR=str(tmp_path),
        DJANGO_ALLOWED_HOSTS="testserver",  # the test client's host
    )
    run = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("sqlite_loop.py"))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    # Two transcripts of two turns, every turn a unit for both coders: each coder claimed, coded (a code
    # on the unit and one on a span) and submitted all four, one slot each.
    assert seen["slots"] == 8
    assert sorted(map(len, seen["units"].values())) == [4, 4]
    assert seen["done"] == 8
    assert seen["codings"] == 16
    assert seen["claims"] == 8
    assert seen["automatic_agreement_runs"] >= 1  # a double-coded unit completed: agreement is due
    assert seen["chain_breaks"] == 0
