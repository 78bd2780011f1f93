"""A request that fails because the database cannot be reached answers 503 with a message and
``Retry-After``, in the API and outside it (the end-to-end restart is in
test_database_restart_faults.py)."""

import json

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import RequestFactory

from annotate.core.api.exception_handler import api_exception_handler
from annotate.core.middleware import DatabaseUnavailableMiddleware


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError()])
def test_the_api_answers_503_with_retry_after_when_the_database_is_unreachable(error):
    response = api_exception_handler(error, {})
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "database cannot be reached" in response.data["detail"]


def test_an_integrity_error_is_still_a_conflict_not_an_outage():
    assert api_exception_handler(IntegrityError("duplicate key"), {}).status_code == 409


def test_a_page_outside_the_api_answers_503_too_and_other_errors_pass_on():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/")
    response = middleware.process_exception(request, OperationalError("the database system is shutting down"))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "database cannot be reached" in json.loads(response.content)["detail"]
    assert middleware.process_exception(request, ValueError("a bug")) is None
