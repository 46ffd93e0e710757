"""Schemathesis against the published OpenAPI document: no 5xx, every answer as described."""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from frontdoor.wsgi import application

# Bounded so the whole file runs in well under a minute on a shared two-core machine.
MAX_EXAMPLES = 10


# Read through WSGI like any client; generating the document touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# NUL bytes are turned away by the site-wide query-string guard (an HTML 400 page) before
# they reach the API; that guard has its own tests in core.
schema.config.generation.update(max_examples=MAX_EXAMPLES, allow_x00=False)


@pytest.fixture
def unlimited(settings):
    # The rate limit is tested on its own; here it would only cut the run short.
    settings.FRONTDOOR_API_RATE = None


@pytest.fixture
def keep_connection():
    """Keep the test's database connection across requests, as Django's test client does.

    Schemathesis calls the WSGI app directly, so request_finished would close the connection
    the test transaction lives on (PostgreSQL keeps connections, CONN_MAX_AGE).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(
    deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
def test_api_conforms_to_its_openapi_schema(records, unlimited, keep_connection, case):
    # The records are only read, so sharing them across generated inputs is safe.
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
