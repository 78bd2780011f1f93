"""The README's shell examples that talk to the server run here, as written, against a live server: a
newcomer who copies them gets what the README says."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from annotate.accounts.services import user_create
from annotate.projects.services import project_create

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCUMENTED_SERVER = "http://127.0.0.1:8000"
BLOCKS = [block for block in re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL) if "curl " in block]


def test_every_curl_example_is_in_a_block_that_is_run():
    """An example in running text could not be run as written; each must sit in a ``sh`` block here."""
    outside = re.sub(r"```.*?```", "", README, flags=re.DOTALL)
    assert "curl " not in outside
    assert BLOCKS, "the README has no examples against the server"
    assert any("auth/token/" in block for block in BLOCKS)


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")
@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_examples_run_against_a_live_server(block, live_server, transactional_db):
    pi = user_create(username="pi", password="intercoder-demo")  # the demo's published login
    project_create(creator=pi, name="Study of the README")
    script = "set -euo pipefail\n" + block.replace(DOCUMENTED_SERVER, live_server.url)
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"README example failed:\n{block}\n{result.stderr}"
    if "auth/token/" in block:
        assert '"token":' in result.stdout
    if "/api/v1/projects/" in block:
        assert "Study of the README" in result.stdout
