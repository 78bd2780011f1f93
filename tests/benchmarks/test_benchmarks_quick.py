"""Every benchmark runs in quick mode, so none rots: it must exit 0 and print well-formed JSON lines.

Speed targets are measured by the full benchmarks (benchmarks/RESULTS.md), never asserted here.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_"))
REQUIRED = {"workload", "ours_s", "reference", "reference_s", "ratio", "peak_mb"}
# Figures an issue names for a script, beyond the standard ones.
NAMED = {
    "coding_load": {
        "rps",
        "reference_rps",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "errors",
        "paced_offered_rps",
        "paced_rps",
        "saturated_p99_ms",
        "reference_p99_ms",
    },
    "freshness": {"p95_s", "runs_per_10k", "codings", "bursts"},
    "events": {
        "p95_ms",
        "reference_p95_ms",
        "db_connections",
        "opening_db_connections",
        "rps",
        "reference_rps",
        "missed",
        "errors",
    },
}
# Figures an issue names for one workload of a script.
NAMED_WORKLOAD = {"search 8M words": {"p95_ms"}}


@pytest.mark.slow
@pytest.mark.parametrize("script", BENCHMARKS, ids=[p.stem for p in BENCHMARKS])
def test_benchmark_runs_in_quick_mode(script):
    result = subprocess.run(
        [sys.executable, str(script), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ),
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, "no JSON lines printed"
    for line in lines:
        assert set(line) >= REQUIRED | NAMED.get(script.stem, set()) | NAMED_WORKLOAD.get(
            line["workload"], set()
        ), line
        assert line["ours_s"] is None or line["ours_s"] >= 0
