"""``benchmarks/import.py --quick`` runs end to end (API upload → job → done, and a zip through the job)
and prints the two workloads in the DEVELOPERS format."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_benchmark_quick_runs():
    from django.conf import settings

    database = settings.DATABASES["default"]
    env = dict(os.environ)
    # Its own database next to the test database, never the test database itself.
    env["INTERCODER_BENCH_DATABASE_URL"] = (
        f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}_import_bench"
    )
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "import.py"), "--quick"],
        check=True, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    lines = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
    assert [x["workload"] for x in lines] == ["demo study import", "1000 transcripts import"]
    for line in lines:
        assert set(line) >= {"workload", "ours_s", "reference", "reference_s", "ratio", "peak_mb", "target_s"}
        assert line["reference"] is None
        assert line["ratio"] is None
        assert line["ours_s"] > 0
    assert lines[0]["formats"] == ["csv", "docx", "txt", "vtt"]
    assert lines[1]["segments"] > 0
