"""Schemathesis hooks for the API contract test (loaded by the CLI through ``SCHEMATHESIS_HOOKS``).

The fuzzer signs in with one API token. Revoking that token is a legitimate request, but after it every
later request would be answered 401 and the rest of the run would test nothing; so a revocation of the
fuzzer's own token is sent for an id that does not exist instead (it still exercises the 404 path). Every
other token id, and every other operation, goes out as generated.
"""

import os

import schemathesis

OWN_TOKEN_ID = os.environ.get("CONTRACT_OWN_TOKEN_ID", "")
TOKEN_PATH = "/api/v1/auth/account/tokens/{token_id}/"


@schemathesis.hook
def before_call(context, case, kwargs):
    if (
        case.method.upper() == "DELETE"
        and case.path == TOKEN_PATH
        and str(case.path_parameters.get("token_id")) == OWN_TOKEN_ID
    ):
        case.path_parameters["token_id"] = 2_000_000_000
