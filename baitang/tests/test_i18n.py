import pytest


@pytest.mark.django_db
def test_pages_speak_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.content.decode()
    assert "改不改、改什么、怎么改，由居民说了算。" in response.content.decode()


@pytest.mark.django_db
def test_english_is_available_through_the_language_switch(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    page = client.get("/").content.decode()

    assert 'lang="en"' in page
    assert "Residents decide whether, what and how to renovate." in page


@pytest.mark.django_db
def test_the_browser_language_picks_english(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Staff sign in" in page
