"""A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (OpenID Certified),
run with Node from ``tests/frontend/oidc_provider`` (``make test`` installs it with ``npm ci``; so does the
first test that needs it)."""

import contextlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

FOLDER = Path(__file__).parent / "oidc_provider"
CLIENT_ID = "intercoder-test"
CLIENT_SECRET = "test-only-client-secret-0123456789"


def _installed() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("the single sign-on tests need Node.js and npm (Debian: apt-get install nodejs npm)")
    if not (FOLDER / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FOLDER, check=True, capture_output=True)


@contextlib.contextmanager
def oidc_provider(*, redirect_uri: str, accounts: dict):
    """Start the provider on a free port; yields its discovery document (issuer and endpoints)."""
    _installed()
    port = free_port()
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT": json.dumps(
            {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [redirect_uri]}
        ),
        "OIDC_ACCOUNTS": json.dumps(accounts),
    }
    process = subprocess.Popen(
        ["node", "server.mjs"], cwd=FOLDER, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening "):
            process.kill()
            raise AssertionError(
                f"the provider did not start: {line}{process.stderr.read() if process.stderr else ''}"
            )
        issuer = line.split(" ", 1)[1].strip()
        for _ in range(50):
            try:
                discovery = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield discovery
    finally:
        process.terminate()
        process.wait(timeout=10)


def sso_settings(settings, discovery: dict, *, name: str = "Test University") -> None:
    """Switch single sign-on on (pytest-django's ``settings``), pointed at the provider."""
    settings.INTERCODER_OIDC_ENABLED = True
    settings.INTERCODER_OIDC_PROVIDER_NAME = name
    settings.OIDC_OP_ISSUER = discovery["issuer"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]


def through_provider(page, login: str) -> None:
    """Sign in at the provider's own pages and consent to sharing the email and name."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("whatever the provider checks")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
