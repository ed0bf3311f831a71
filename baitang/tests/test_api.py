import pytest
from rest_framework.authtoken.models import Token


@pytest.mark.django_db
def test_openapi_schema_is_served_to_office_staff(client, community_user):
    client.force_login(community_user)

    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi: 3" in response.content


@pytest.mark.django_db
def test_interactive_docs_load_their_assets_locally(client, street_user):
    client.force_login(street_user)

    page = client.get("/api/docs/").content.decode()

    assert "swagger-ui" in page
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "<script>" not in page and "<style>" not in page
    assert 'src="/api/docs/?script="' in page


@pytest.mark.django_db
def test_the_docs_start_up_script_is_served_as_javascript(client, street_user):
    client.force_login(street_user)

    response = client.get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["options", "post", "put", "delete"])
def test_the_docs_page_answers_other_methods_with_405(client, street_user, method):
    # DRF's OPTIONS rendered the metadata through a template the page has
    # none for: a 500.
    client.force_login(street_user)

    response = getattr(client, method)("/api/docs/")

    assert response.status_code == 405
    assert client.head("/api/docs/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "schema", "docs"),
    [
        ("street", 200, 200),
        ("community", 200, 200),
        ("other_community", 200, 200),
        ("party", 403, 403),
        ("anonymous", 403, "login"),
    ],
)
def test_schema_and_docs_are_for_office_staff_only(
    client, role_users, role, schema, docs
):
    if role_users[role]:
        client.force_login(role_users[role])

    schema_response = client.get("/api/schema/")
    docs_response = client.get("/api/docs/")
    script_response = client.get("/api/docs/", {"script": ""})

    assert schema_response.status_code == schema
    if docs == "login":
        assert docs_response.status_code == 302
        assert docs_response["Location"].startswith("/admin/login/?next=/api/docs/")
        assert script_response.status_code == 302
    else:
        assert docs_response.status_code == docs
        assert script_response.status_code == docs


@pytest.mark.django_db
def test_office_staff_fetch_the_schema_with_a_token(api_client, street_user):
    token = Token.objects.create(user=street_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api_client.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_api_refuses_anonymous_requests(api_client):
    assert api_client.get("/api/v1/").status_code in (401, 403)


@pytest.mark.django_db
def test_token_authentication_works(api_client, street_user):
    token = Token.objects.create(user=street_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api_client.get("/api/v1/").status_code == 200
