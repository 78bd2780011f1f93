"""Explore on SQLite, the embedded default of ``make run`` (FTS5), answers as on PostgreSQL: the same
study, the same requests, in a process with the local settings, compared with this process's answers."""

import json
from pathlib import Path

from rest_framework.test import APIClient

from tests.annotate.db import run_on_sqlite
from tests.annotate.explore.sqlite_explore import answers


def test_explore_answers_on_sqlite_as_on_postgresql(tmp_path, study):
    stdout = run_on_sqlite(Path(__file__).with_name("sqlite_explore.py"), tmp_path)
    on_sqlite = json.loads(stdout.strip().splitlines()[-1])
    client = APIClient()
    client.force_authenticate(study.users["owner"])
    codes = {name: code.id for name, code in study.codes.items()}
    on_postgresql = answers(study.project.id, codes, client)
    assert on_sqlite == on_postgresql
    assert all(answer["hits"] for answer in on_sqlite)  # every request finds something
