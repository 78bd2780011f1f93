"""workers/stats is pure: numpy/scipy only, importable with no Django settings and no Celery."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import workers.stats

ROOT = Path(__file__).resolve().parents[3]


def test_stats_modules_import_neither_django_nor_celery():
    # Every module of every subpackage, so a module the package __init__ does not import is checked too.
    modules = [m.name for m in pkgutil.walk_packages(workers.stats.__path__, prefix="workers.stats.")]
    assert "workers.stats.saturation" in modules
    assert "workers.stats.agreement.coefficients.kappa" in modules
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


def test_engine_imports_neither_django_nor_celery_nor_pyplot():
    code = (
        "import sys, workers.stats.saturation, workers.figures.saturation; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'celery') "
        "or m == 'matplotlib.pyplot'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
