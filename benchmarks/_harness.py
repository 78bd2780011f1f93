"""Shared measuring helpers for the benchmark scripts.

Every benchmark prints one JSON object per workload (see DEVELOPERS.md):
``{"workload", "ours_s", "reference", "reference_s", "ratio", "peak_mb", ...}``.

Time is wall-clock (``time.perf_counter``), best of ``repeat`` runs. Peak memory is the process's
resident-set high-water mark (``VmHWM``) while the measured call runs: we reset the mark through
``/proc/self/clear_refs`` before the call, so the figure is the absolute peak RSS of this process during
that call (interpreter and inputs included), a conservative number that does not depend on allocator
tracing. On a system without ``/proc`` the figure falls back to ``ru_maxrss`` (peak since start).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Measurement:
    seconds: float
    peak_mb: float
    result: Any


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(fn: Callable[[], Any], repeat: int = 1) -> Measurement:
    """Run ``fn`` ``repeat`` times; return the best time, the peak RSS over all runs, the last result."""
    best = float("inf")
    peak = 0.0
    result: Any = None
    for _ in range(max(1, repeat)):
        result = None
        gc.collect()
        _reset_peak_rss()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
        peak = max(peak, _peak_rss_mb())
    return Measurement(seconds=best, peak_mb=peak, result=result)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile of ``values`` (0.0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def emit(
    workload: str,
    ours: Measurement,
    reference: str | None = None,
    ref: Measurement | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Print and return one JSON line; ``ratio`` = reference time / our time (> 1: we are faster)."""
    line: dict[str, Any] = {
        "workload": workload,
        "ours_s": round(ours.seconds, 4),
        "reference": reference,
        "reference_s": round(ref.seconds, 4) if ref else None,
        "ratio": round(ref.seconds / ours.seconds, 3) if ref and ours.seconds > 0 else None,
        "peak_mb": round(ours.peak_mb, 1),
    }
    if ref is not None:
        line["reference_peak_mb"] = round(ref.peak_mb, 1)
    line.update(extra)
    print(json.dumps(line), flush=True)
    return line


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--quick", action="store_true", help="tiny sizes, runs in seconds (used by the test suite)"
    )
    return p
