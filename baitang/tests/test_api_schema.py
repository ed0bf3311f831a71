"""The OpenAPI schema says what the API answers: every status code it returns,
the fields that can be null, and the shape of each kind of page. schemathesis
holds every endpoint to it (its conformance checks, not only "no 500")."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
    ProblemFactory,
)

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
WSGI = get_wsgi_application()


def openapi() -> dict:
    """The schema /api/schema/ serves, as plain JSON data."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_documents_its_errors():
    schema = openapi()

    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        is_list = (
            method == "get"
            and "{" not in path
            and "results" in json.dumps(operation["responses"]["200"])
        )
        assert "403" in codes, (path, method)
        if "{" in path or is_list:
            assert "404" in codes, (path, method)  # a row, page or cursor not there
        if method in ("post", "put", "patch"):
            assert {"400", "415"} <= codes, (path, method)
        if method == "delete":
            assert "400" in codes, (path, method)  # the delete service refused
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]


def test_figures_that_can_be_missing_are_nullable():
    estate = openapi()["components"]["schemas"]["Estate"]["properties"]

    assert estate["elderly_share"]["nullable"] is True
    assert estate["floor_area_per_household"]["nullable"] is True


def test_each_kind_of_page_is_described():
    components = openapi()["components"]["schemas"]

    estates = components["PaginatedEstateList"]
    households = components["PaginatedHouseholdPublicList"]
    assert estates["required"] == ["count", "count_is_estimate", "results"]
    assert estates["properties"]["count_is_estimate"]["type"] == "boolean"
    assert set(households["properties"]) == {"next", "previous", "results"}


@pytest.fixture
def wsgi_in_test_transaction():
    """The WSGI app called directly, as Django's test client does it: the end of
    a request must not close the connection holding the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGI
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def street_token(street_user, default_problem_categories):
    # A few rows, so some generated ids and filters find something.
    estate = EstateFactory()
    HouseholdFactory(building=BuildingFactory(estate=estate), owners=[OwnerFactory()])
    ProblemFactory(estate=estate)
    return Token.objects.create(user=street_user).key


# Built when the module is collected (schemathesis' lazy fixture loader does
# not run under this pytest).
conformance = schemathesis.openapi.from_dict(openapi())


@pytest.mark.slow
@pytest.mark.django_db
@conformance.parametrize()
@settings(
    # Random valid and invalid requests only: schemathesis' coverage phase
    # (thousands of boundary cases, minutes) is the CLI run in README.md.
    phases=[Phase.generate],
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_endpoint_answers_as_the_schema_says(
    case, street_token, wsgi_in_test_transaction
):
    case.call_and_validate(
        app=wsgi_in_test_transaction,
        headers={"Authorization": f"Token {street_token}"},
        checks=CONFORMANCE,
    )
