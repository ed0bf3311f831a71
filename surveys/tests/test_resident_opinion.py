"""The estate's open link: anyone may leave a non-binding opinion; the page says
it does not count as a household's answer or vote."""

import pytest

from baitang.roles import SYSTEM
from communities.tests.factories import EstateFactory
from surveys.models import OpenLink, Opinion
from surveys.services import open_link_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(community):
    estate = EstateFactory(community=community, name="逸鸿花园")
    return open_link_ensure(estate=estate, actor=SYSTEM)


def test_the_page_says_opinions_are_not_counted(client, link):
    response = client.get(f"/o/{link.token}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "逸鸿花园意见箱" in page
    assert "不计入任何一户的征询答卷或业主表决" in page
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_opinion_is_stored_as_typed_and_thanked_for(client, link):
    response = client.post(f"/o/{link.token}/", {"text": " <b>路灯太暗</b> "})

    assert response.status_code == 302
    assert response["Location"] == f"/o/{link.token}/?sent=1"
    assert Opinion.objects.get().text == "<b>路灯太暗</b>"
    assert "谢谢，您的意见已收到" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "请填写您的意见。"), ("太" * 501, "最多 500 字，现在是 501 字。")],
)
def test_an_empty_or_overlong_opinion_is_refused_and_kept(client, link, text, message):
    response = client.post(f"/o/{link.token}/", {"text": text})

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f">{text}</textarea>" in page
    assert not Opinion.objects.exists()


def test_html_typed_back_into_the_form_is_escaped(client, link):
    page = client.post(f"/o/{link.token}/", {"text": "<script>x</script>" * 100})

    assert "<script>x</script>" not in page.content.decode()


def test_a_switched_off_link_opens_nothing(client, link):
    OpenLink.objects.filter(pk=link.pk).update(is_active=False)

    response = client.get(f"/o/{link.token}/")

    assert response.status_code == 404
    assert "链接无效或已停用" in response.content.decode()
    assert client.post(f"/o/{link.token}/", {"text": "x"}).status_code == 404
    assert not Opinion.objects.exists()


def test_the_token_is_forgiving_like_a_code(client, link):
    typed = link.token.lower()

    assert client.get(f"/o/{typed}/").status_code == 200
