"""A NUL byte in a search box or anywhere in the address is refused with a 400.

PostgreSQL cannot hold NUL in text, so without the guard such a query ended in
a 500 (`GET /admin/autocomplete/?…&term=%00`), in production too.
"""

import pytest

from communities.tests.factories import EstateFactory

pytestmark = pytest.mark.django_db

SEARCHES = [
    "/admin/communities/estate/?q=%00",
    "/admin/communities/household/?q=a%00b",
    "/admin/autocomplete/?app_label=communities&model_name=problem"
    "&field_name=estate&term=%00",
    "/estates/?q=%00",
    "/estates/?community=%00",
    "/estates/%00/",
    "/estates/?%00=1",
]


@pytest.fixture
def staff_client(client, street_user, community):
    EstateFactory(community=community, name="藤翠苑7号小区")
    client.force_login(street_user)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("url", SEARCHES)
def test_pages_refuse_a_nul_byte_with_a_chinese_400(staff_client, settings, url):
    settings.DEBUG = False

    response = staff_client.get(url)

    assert response.status_code == 400
    assert "请求中含有无效字符" in response.content.decode()


def test_api_search_refuses_a_nul_byte_with_a_json_400(api_client, street_user):
    api_client.force_authenticate(street_user)

    response = api_client.get("/api/v1/estates/", {"search": "藤\x00"})

    assert response.status_code == 400
    assert response.json() == {"detail": "请求中含有无效字符（NUL），请删除后重试。"}


def test_a_nul_byte_in_a_posted_form_is_refused(staff_client):
    response = staff_client.post("/admin/communities/community/add/", {"name": "\x00"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/admin/communities/estate/?q=藤翠",
        "/admin/autocomplete/?app_label=communities&model_name=problem"
        "&field_name=estate&term=藤翠",
        "/estates/?q=藤翠",
    ],
)
def test_ordinary_searches_still_answer(staff_client, url):
    response = staff_client.get(url)

    assert response.status_code == 200
    body = response.content.decode(
        "unicode_escape" if "json" in response["Content-Type"] else "utf-8"
    )
    assert "藤翠苑7号小区" in body


def test_ordinary_api_search_still_answers(api_client, street_user, community):
    EstateFactory(community=community, name="藤翠苑7号小区")
    api_client.force_authenticate(street_user)

    response = api_client.get("/api/v1/estates/", {"search": "藤翠"})

    assert response.status_code == 200
    assert "藤翠苑7号小区" in response.content.decode()
