"""A web worker, started as gunicorn.conf.py starts it, has imported every view and frozen what it loaded
before its first request. Run in a fresh interpreter: freezing the test process's own objects would
keep them for the rest of the suite."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import gc, json, runpy, sys
import django
django.setup()
before = {"frozen": gc.get_freeze_count(), "views": "annotate.coding.apis" in sys.modules}
hooks = runpy.run_path("gunicorn.conf.py")
hooks["post_worker_init"](None)
after = {"frozen": gc.get_freeze_count(), "views": "annotate.coding.apis" in sys.modules}
garbage = [[] for _ in range(1000)]
for item in garbage:
    item.append(item)  # a cycle, collectable only by the collector
del garbage, item
print(json.dumps({"before": before, "after": after, "collected": gc.collect()}))
"""


def test_gunicorn_workers_import_every_view_and_freeze_what_they_loaded():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["before"] == {"frozen": 0, "views": False}
    assert result["after"]["views"] is True
    assert result["after"]["frozen"] > 10_000  # the app's modules, settings and URL patterns
    assert result["collected"] >= 1000  # what is made after the freeze is still collected
