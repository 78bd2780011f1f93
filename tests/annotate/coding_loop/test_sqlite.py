"""The coding loop's hand-written SQL on SQLite, the embedded default of ``make run``: claims, the set's
PUT with its version check, done and reopen, through the endpoints, in a process with the local settings."""

import json
from pathlib import Path

from tests.annotate.db import run_on_sqlite


def test_the_coding_loop_runs_on_sqlite(tmp_path):
    stdout = run_on_sqlite(Path(__file__).with_name("sqlite_loop.py"), tmp_path)
    seen = json.loads(stdout.strip().splitlines()[-1])
    # Two transcripts of two turns, every turn a unit for both coders: each coder claimed, coded (a code
    # on the unit and one on a span) and submitted all four, one slot each.
    assert seen["slots"] == 8
    assert sorted(map(len, seen["units"].values())) == [4, 4]
    assert seen["done"] == 8
    assert seen["codings"] == 16
    assert seen["claims"] == 8
    assert seen["automatic_agreement_runs"] >= 1  # a double-coded unit completed: agreement is due
    assert seen["chain_breaks"] == 0
