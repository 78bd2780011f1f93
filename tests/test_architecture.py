"""docs/ARCHITECTURE.md draws the apps' import graph from the code; it must match the code as it is."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_architecture_page_draws_the_import_graph_the_code_has():
    check = subprocess.run(
        [sys.executable, "scripts/app_graph.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
