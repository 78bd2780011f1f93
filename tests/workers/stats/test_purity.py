"""workers/stats is pure: numpy/scipy only, importable with no Django settings and no Celery."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import workers.stats

ROOT = Path(__file__).resolve().parents[3]


def test_stats_modules_import_neither_django_nor_celery():
    modules = [f"workers.stats.{m.name}" for m in pkgutil.iter_modules(workers.stats.__path__)]
    assert "workers.stats.saturation" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'celery', 'rest_framework', 'annotate'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
