"""Fuzz every API operation from the OpenAPI schema (schemathesis), signed in and signed out.

Runs in-process against Django's WSGI application (no server) with a fixed seed. Checked: no server
error (5xx), and every answer whose status the schema documents matches its response schema and
content type. (Undocumented 4xx codes are allowed: bad input must be a 4xx with a message.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from practica.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Examples and random generation only: the coverage phase adds hundreds of cases per operation.
schema.config.phases.update(phases=["examples", "fuzzing"])
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ = settings(
    max_examples=8,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django closes the database connection when a request finishes (``close_old_connections``);
    its test client switches that off, but schemathesis calls the WSGI application directly. On
    PostgreSQL the test's transaction would go with the connection, so switch it off here too."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(member):
    from practica.people.services import api_token_create

    return api_token_create(person=member, name="fuzz")[1]


def _no_message_less_errors(response) -> None:
    if 400 <= response.status_code < 500 and response.headers.get("Content-Type", "").startswith(
        "application/json"
    ):
        body = response.json()
        assert isinstance(body, dict) and body.get("detail"), (response.status_code, body)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_fuzz_signed_in(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=CHECKS)
    _no_message_less_errors(response)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_fuzz_signed_out(case):
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    if case.operation.path != "/api/v1/tokens" and case.method.upper() == case.operation.method.upper():
        # Writes meet django-ninja's CSRF check (session auth) before authentication: 403, not 401.
        refused = {401} if case.method.upper() in {"GET", "HEAD"} else {401, 403}
        assert response.status_code in refused, (case.method, case.formatted_path, response.status_code)
