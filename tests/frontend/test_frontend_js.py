"""The frontend's domain, repository and service layers, tested with Node's built-in runner (no npm)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = ROOT / "frontend" / "tests"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (needed for `node --test`)")
def test_frontend_js_unit_tests_pass():
    result = subprocess.run(
        ["node", "--test", str(JS_TESTS) + "/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"node --test failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    assert "# fail 0" in result.stdout
