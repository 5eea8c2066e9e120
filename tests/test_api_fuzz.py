"""Schemathesis fuzzes the JSON API in-process from its own OpenAPI document (examples,
boundary values, positive and negative random cases): no server error, every response fits its
schema, input the schema allows is accepted and input it forbids is rejected — so the schema and
the request validator cannot drift apart again."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from qa_service.web import create_app
from qa_service.web.common import ServiceHolder

MAX_EXAMPLES = 100  # per operation: ~300 cases in all (/healthz and /openapi.json take no input: 1 each)

# The OpenAPI document needs only the settings, so the app can exist at import time (the schema
# parametrizes the test); the fake service is put in before the first request (`use_fake_service`).
# (schemathesis.pytest.from_fixture would be the lazy way, but it breaks on pytest 9.)
app = create_app({"TESTING": True, "index_dir": "/nonexistent/qa-index"})
schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
schema.config.generation.update(max_examples=MAX_EXAMPLES)


@pytest.fixture(scope="module", autouse=True)
def use_fake_service(fake_service):
    app.extensions["qa_service"] = ServiceHolder(app.extensions["qa_settings"], fake_service)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    case.call_and_validate()
