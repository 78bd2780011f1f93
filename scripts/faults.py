"""`make faults`: the fault suite in its long form, with the results written to docs/RELIABILITY.md.

Runs the fault scenarios of tests/annotate/core/test_jobs_faults.py and
test_database_restart_faults.py with ``FAULTS_LONG=1``: the shipped job timings (dispatcher every
15 s, 60 s lease), a 30 s broker outage, imports of 2,000 files, 20 coders coding through the API
while the broker is down, a burst of 10,000 codings from 50 coders while the worker is SIGKILLed every
10 s, and 20 coders coding while PostgreSQL is stopped for 15 s. The job scenarios run against real
PostgreSQL (the test database named by ``DATABASE_URL``), a redis-server of the suite's own on a free
port (the shared Redis is never stopped) and real Celery workers; the restart scenario against a
private PostgreSQL instance of its own (the shared server is never stopped) and the app under
gunicorn. Each scenario records its figures; this script collects them, and replaces the results
table in docs/RELIABILITY.md with them, the command and the date. Exits non-zero if a scenario failed
(the table says which).

    .venv/bin/python scripts/faults.py        # or: make faults
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "RELIABILITY.md"
SUITE = ["tests/annotate/core/test_jobs_faults.py", "tests/annotate/core/test_database_restart_faults.py"]
LOG = ROOT / "var" / "faults-last.log"
BEGIN, END = "<!-- faults:begin -->", "<!-- faults:end -->"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        env = {**os.environ, "FAULTS_LONG": "1", "FAULTS_RESULTS": str(results)}
        started = time.monotonic()
        run = subprocess.run(  # noqa: S603 - this interpreter running pytest on the suite
            [sys.executable, "-m", "pytest", "-p", "no:randomly", "-q", "-rA", *SUITE, *sys.argv[1:]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        elapsed = time.monotonic() - started
        rows = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
    outcomes = [line for line in run.stdout.splitlines() if line.startswith(("PASSED ", "FAILED ", "ERROR "))]
    print(run.stdout[-3000:])
    if run.returncode:  # the tail is the summary; the failures' reasons are further up
        LOG.parent.mkdir(parents=True, exist_ok=True)
        LOG.write_text(run.stdout + run.stderr, encoding="utf-8")
        print(f"pytest's whole output: {LOG.relative_to(ROOT)}")
    write_results(rows, outcomes, elapsed)
    return run.returncode


def write_results(rows: list[dict], outcomes: list[str], elapsed: float) -> None:
    lines = [
        BEGIN,
        f"Last run: {dt.datetime.now(dt.UTC).date().isoformat()}, `make faults` (`.venv/bin/python scripts/faults.py`), "
        f"{elapsed:.0f} s in all.",
        "",
        "| scenario | figures (seconds unless named) |",
        "|---|---|",
    ]
    for row in rows:
        figures = ", ".join(f"{key} = {value}" for key, value in row.items() if key != "scenario")
        lines.append(f"| {row['scenario']} | {figures} |")
    lines += ["", "Test outcomes:", "", *(f"- `{outcome}`" for outcome in outcomes), END]
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + "\n".join(lines) + tail, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
