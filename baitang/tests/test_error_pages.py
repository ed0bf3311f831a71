"""Error pages speak Chinese, look like the site and always offer a way back."""

import pytest
from django.test import Client
from django.urls import get_resolver, path

from baitang import urls as platform_urls


def boom(request):
    raise RuntimeError("a bug")


# The platform's URLconf plus one failing view.
urlpatterns = [path("boom/", boom), *platform_urls.urlpatterns]
handler500 = platform_urls.handler500


@pytest.mark.django_db
def test_an_outside_party_opening_the_overview_gets_the_chinese_403(
    client, party_user, settings
):
    settings.DEBUG = False
    client.force_login(party_user)

    response = client.get("/estates/")

    page = response.content.decode()
    assert response.status_code == 403
    assert "没有访问权限（403）" in page
    assert 'class="site-header"' in page
    assert 'href="/"' in page
    assert "Forbidden" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/no-such-page/", "/estates/999999/"])
def test_a_missing_page_is_the_chinese_404(client, street_user, settings, url):
    settings.DEBUG = False
    client.force_login(street_user)

    response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在（404）" in page
    assert "返回首页" in page
    assert "Not Found" not in page


@pytest.mark.django_db
def test_the_404_offers_the_page_the_visitor_came_from(client, settings):
    settings.DEBUG = False

    response = client.get("/gone/", HTTP_REFERER="http://testserver/estates/")

    assert 'href="http://testserver/estates/"' in response.content.decode()


@pytest.mark.django_db
def test_the_404_never_links_back_to_another_site(client, settings):
    settings.DEBUG = False

    response = client.get("/gone/", HTTP_REFERER="https://evil.example/")

    assert "evil.example" not in response.content.decode()


@pytest.mark.django_db
def test_a_bad_request_is_the_chinese_400(client, settings):
    settings.DEBUG = False

    response = client.get("/estates/?q=%00")

    assert response.status_code == 400
    assert "请求无法处理（400）" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_form_is_refused_in_chinese(street_user, settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(street_user)

    response = client.post("/admin/logout/")

    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_server_error_page_renders_with_the_database_unavailable(rf):
    # No django_db here: pytest-django makes any database access fail, so the
    # handler and its template must manage without one.
    response = get_resolver("baitang.urls").resolve_error_handler(500)(
        rf.get("/estates/")
    )

    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了（500）" in page
    assert 'href="/"' in page
    assert "/static/css/site.css" in page


@pytest.mark.urls(__name__)
def test_a_crashing_view_answers_the_chinese_500_without_the_database(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    with pytest.raises(RuntimeError, match="Database access not allowed"):
        # Proof that the blocker is on for this request's thread.
        from django.db import connection

        connection.ensure_connection()
    response = client.get("/boom/")

    assert response.status_code == 500
    assert "系统出错了（500）" in response.content.decode()
