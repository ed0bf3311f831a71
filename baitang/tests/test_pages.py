import re

import pytest


@pytest.mark.django_db
def test_pages_load_no_asset_from_another_host(client):
    page = client.get("/").content.decode()

    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert external == []


@pytest.mark.django_db
def test_static_files_are_served_by_whitenoise(client):
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert b"font-size: 18px" in b"".join(response.streaming_content)


@pytest.mark.django_db
def test_admin_is_titled_in_chinese(client):
    page = client.get("/admin/login/").content.decode()

    assert "白藤街道老旧小区改造管理平台" in page


def test_logs_go_to_stdout(settings):
    import logging
    import sys

    root_handlers = logging.getLogger().handlers
    assert any(getattr(h, "stream", None) is sys.stdout for h in root_handlers)


@pytest.mark.django_db
def test_home_page_is_cached_per_visitor(client, street_user):
    anonymous = client.get("/")
    assert "max-age=300" in anonymous["Cache-Control"]
    assert "小区总览" not in anonymous.content.decode()

    client.force_login(street_user)
    signed_in = client.get("/").content.decode()

    # The anonymous copy in the cache is not served to a signed-in user.
    assert "小区总览" in signed_in


@pytest.mark.django_db
def test_pages_link_an_icon_so_browsers_do_not_ask_for_favicon_ico(client):
    assert 'rel="icon"' in client.get("/").content.decode()
    assert client.get("/static/favicon.svg").status_code == 200


@pytest.mark.django_db
def test_signed_in_home_page_shows_the_user_not_the_login(client, street_user):
    street_user.first_name = "小林"
    street_user.save()
    client.force_login(street_user)

    response = client.get("/")

    page = response.content.decode()
    assert "您已登录：小林" in page
    assert "工作人员登录" not in page
    assert 'href="/admin/"' in page
    assert '<form method="post" action="/admin/logout/">' in page
    assert "Cookie" in response["Vary"]  # cached per visitor


@pytest.mark.django_db
def test_pages_answer_head_as_well_as_get(client, street_user):
    from communities.tests.factories import EstateFactory

    estate = EstateFactory()
    client.force_login(street_user)
    urls = [
        "/",
        "/healthz",
        "/language/?language=en&next=/",
        "/estates/",
        f"/estates/{estate.pk}/",
        "/estates/import/template.xlsx",
        "/estates/export.xlsx",
    ]

    for url in urls:
        get = client.get(url)
        head = client.head(url)

        assert head.status_code == get.status_code, url
        assert head.status_code in (200, 302, 503), url
        assert head.content == b"", url


@pytest.mark.django_db
def test_the_home_page_offers_the_elder_mode_on_its_first_screen(client):
    page = client.get("/").content.decode()
    switch = re.search(r'href="(/elder-mode/\?on=1[^"]*)"', page)[1].replace(
        "&amp;", "&"
    )

    response = client.get(switch)
    elder = client.get("/").content.decode()

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert '<body class="resident">' in page
    assert '<body class="resident elder">' in elder
    assert "css/resident" in elder and "css/resident" not in page
