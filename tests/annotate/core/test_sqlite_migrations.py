"""On SQLite (the embedded default of ``make run``), Django rebuilds a table for many schema changes, and a
rebuilt table has lost its triggers. Every trigger the migrations create must still be there at the end,
unless a migration dropped it on purpose."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import json, re
import django
django.setup()
from django.core.management import call_command
from django.db import connection

created, dropped = set(), set()

def watch(execute, sql, params, many, context):
    created.update(re.findall(r"CREATE TRIGGER (?:IF NOT EXISTS )?(\w+)", sql))
    dropped.update(re.findall(r"DROP TRIGGER (?:IF EXISTS )?(\w+)", sql))
    return execute(sql, params, many, context)

with connection.execute_wrapper(watch):
    call_command("migrate", verbosity=0)
with connection.cursor() as cursor:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    present = {row[0] for row in cursor.fetchall()}
print(json.dumps({"created": sorted(created), "lost": sorted(created - dropped - present)}))
"""


def test_every_trigger_survives_the_migrations_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="annotate.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'intercoder.sqlite3'}",
        INTERCODER_VAR_DIR=str(tmp_path),
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "assignment_slot_planned_update" in result["created"]
    assert "audit_auditevent_no_update" in result["created"]
    assert result["lost"] == []
