import pytest
from rest_framework.authtoken.models import Token


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi: 3" in response.content


@pytest.mark.django_db
def test_interactive_docs_load_their_assets_locally(client):
    page = client.get("/api/docs/").content.decode()

    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page


@pytest.mark.django_db
def test_api_refuses_anonymous_requests(api_client):
    assert api_client.get("/api/v1/").status_code in (401, 403)


@pytest.mark.django_db
def test_token_authentication_works(api_client, street_user):
    token = Token.objects.create(user=street_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api_client.get("/api/v1/").status_code == 200
