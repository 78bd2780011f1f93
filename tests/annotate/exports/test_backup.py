"""A project's backup restores into an empty instance (a second PostgreSQL database, migrated from
nothing, the commands run as an administrator would run them): every count matches, the files are back
and the audit trail verifies. Bad archives and clashing instances are refused with nothing written."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from annotate.audit.models import AuditEvent
from annotate.coding.models import Coding
from annotate.exports.backup import project_backup_write, project_models
from annotate.projects.models import Role

from .helpers import export_path, run_export

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _manage(database: str, var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}"}
    env.update(DJANGO_SETTINGS_MODULE="annotate.settings.test", INTERCODER_VAR_DIR=str(var_dir))
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def empty_instance(tmp_path):
    """A new database with the schema and nothing else, and its own media folder."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(dbname="postgres", user="postgres", host="127.0.0.1", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    var_dir = tmp_path / "instance"
    migrated = _manage(name, var_dir, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    yield name, var_dir
    with psycopg.connect(dbname="postgres", user="postgres", host="127.0.0.1", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _count(database: str, table: str, where: str = "") -> int:
    with psycopg.connect(dbname=database, user="postgres", host="127.0.0.1") as db:
        return db.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]  # our own table names


def test_a_backup_restores_into_an_empty_instance_with_every_count_and_the_chain(
    study, django_capture_on_commit_callbacks, tmp_path, empty_instance
):
    project = study.project
    job = run_export(django_capture_on_commit_callbacks, project, study.users[Role.OWNER], "codings", "csv")
    archive = tmp_path / "backup.tar.gz"
    call_command("backup_project", project=project.id, output=archive, stdout=io.StringIO())
    assert AuditEvent.objects.filter(project=project).last().action == "project.backup"
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["counts"]["coding.Coding"] == Coding.objects.filter(project=project).count() == 4
    assert f"media/{job.file_path}" in manifest["members"]

    database, var_dir = empty_instance
    restored = _manage(database, var_dir, "restore_project", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "every count matches, audit trail verified" in restored.stdout
    for model, lookup in project_models():
        table = model._meta.db_table
        expected = model._default_manager.filter(**{lookup: project.id}).count()
        assert _count(database, table) == expected, table
    verified = _manage(database, var_dir, "verify_audit", "--project", str(project.id))
    assert verified.returncode == 0, verified.stderr
    restored_file = var_dir / "media" / job.file_path
    assert restored_file.read_bytes() == export_path(job).read_bytes()
    # Accounts come back without administrator rights; the new instance can make rows of its own.
    assert _count(database, "auth_user", "WHERE is_superuser OR is_staff") == 0
    again = _manage(database, var_dir, "restore_project", str(archive))
    assert again.returncode != 0
    assert "already holds" in again.stderr
    assert "nothing was restored" in again.stderr
    assert _count(database, "coding_coding") == 4


def test_a_damaged_archive_is_refused_and_nothing_is_written(study, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    project_backup_write(project_id=study.project.id, output=archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "data.json":
                data = data.replace(b"Naloxone", b"Nalaxone")
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=r"is damaged: data\.json .* does not match its checksum"):
        call_command("restore_project", str(damaged))
    (tmp_path / "junk.tar.gz").write_bytes(b"junk")
    with pytest.raises(CommandError, match="not a readable project backup"):
        call_command("restore_project", str(tmp_path / "junk.tar.gz"))
    assert AuditEvent.objects.count() == events


def test_restoring_over_the_project_itself_is_refused(study, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    project_backup_write(project_id=study.project.id, output=archive)
    with pytest.raises(CommandError, match=r"already holds .* nothing was restored"):
        call_command("restore_project", str(archive))
