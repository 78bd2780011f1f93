"""The audit trail export verifies offline with scripts/verify_audit_export.py; a tampered file fails."""

import json
import subprocess
import sys

import pytest

from annotate.audit.models import AuditEvent
from annotate.projects.models import Role

from .helpers import ROOT, export_path, run_export

pytestmark = pytest.mark.django_db
SCRIPT = ROOT / "scripts" / "verify_audit_export.py"


def verify(path, *extra):
    # Run as a user would: a separate interpreter, with no Django and no project on the path.
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(path), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_audit_export_verifies_and_tampering_fails(fmt, study, django_capture_on_commit_callbacks, tmp_path):
    job = run_export(django_capture_on_commit_callbacks, study.project, study.users[Role.OWNER], "audit", fmt)
    path = export_path(job)
    events = AuditEvent.objects.filter(project=study.project)
    assert job.row_count == events.count() - 0
    last = events.order_by("-sequence").first().hash
    ok = verify(path, "--expect-last", last)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"OK: {job.row_count} events" in ok.stdout

    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = 1 if fmt == "csv" else 0
    # 1. Altered content: the memo text inside an event.
    target = next(i for i, line in enumerate(lines) if "Café as a site?" in line)
    tampered = tmp_path / f"tampered.{fmt}"
    tampered.write_text("".join(lines).replace("Café as a site?", "Café as a site!"), encoding="utf-8")
    bad = verify(tampered)
    assert bad.returncode == 1
    assert "was altered" in bad.stdout
    # 2. A removed event.
    removed = tmp_path / f"removed.{fmt}"
    removed.write_text("".join(lines[: header + 2] + lines[header + 3 :]), encoding="utf-8")
    bad = verify(removed)
    assert bad.returncode == 1
    assert "an event is missing" in bad.stdout
    # 3. Events cut from the end: only the recorded last hash shows it.
    cut = tmp_path / f"cut.{fmt}"
    cut.write_text("".join(lines[:-1]), encoding="utf-8")
    assert verify(cut).returncode == 0
    bad = verify(cut, "--expect-last", last)
    assert bad.returncode == 1
    assert "cut off" in bad.stdout
    assert target >= header


def test_jsonl_audit_rows_carry_the_chain_fields(study, django_capture_on_commit_callbacks):
    job = run_export(
        django_capture_on_commit_callbacks, study.project, study.users[Role.OWNER], "audit", "jsonl"
    )
    first = json.loads(export_path(job).read_text(encoding="utf-8").splitlines()[0])
    assert first["sequence"] == 1
    assert first["prev_hash"] == "0" * 64
    assert first["action"] == "project.create"
    assert first["actor_username"] == "owner"


def test_unreadable_file_exits_2(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("{not json\n")
    assert verify(path).returncode == 2
