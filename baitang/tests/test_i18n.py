import pytest


@pytest.mark.django_db
def test_pages_speak_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.content.decode()
    assert "改不改、改什么、怎么改，由居民说了算。" in response.content.decode()


@pytest.mark.django_db
def test_english_is_available_through_the_language_switch(client):
    page = client.get("/").content.decode()
    assert '<a href="/language/?language=en&amp;next=/"' in page

    response = client.get("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    page = client.get("/").content.decode()

    assert 'lang="en"' in page
    assert "Residents decide whether, what and how to renovate." in page


@pytest.mark.django_db
def test_switching_back_to_chinese(client):
    client.get("/language/", {"language": "en", "next": "/"})

    client.get("/language/", {"language": "zh-hans", "next": "/"})

    assert "由居民说了算" in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_language_switch_never_redirects_off_site(client, next_url):
    response = client.get("/language/", {"language": "en", "next": next_url})

    assert response["Location"] == "/"


@pytest.mark.django_db
def test_unknown_language_is_ignored(client):
    response = client.get("/language/", {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert "django_language" not in response.cookies


@pytest.mark.django_db
def test_the_browser_language_picks_english(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Staff sign in" in page
