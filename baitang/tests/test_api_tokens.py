"""API tokens: street office staff issue them to anyone; each login sees and
revokes its own; a key is shown only to its owner and, once, to its issuer."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.authtoken.models import Token

from baitang.services import api_token_issue, api_token_revoke
from communities.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/account/tokens/"
ISSUE = "/account/tokens/issue/"


def revoke_url(user) -> str:
    return f"/account/tokens/{user.pk}/revoke/"


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", last_name="王", first_name="芳")


def test_street_staff_issue_a_token_and_see_its_key_once(client, street_user, clerk):
    client.force_login(street_user)

    response = client.post(ISSUE, {"user": clerk.pk})

    token = Token.objects.get(user=clerk)
    assert response.status_code == 200
    assert token.key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    listing = client.get(PAGE).content.decode()
    assert token.key not in listing
    assert token.key[:6] + "…" in listing
    assert "王芳（clerk）" in listing


def test_the_issued_key_opens_the_api(client, api_client, street_user):
    client.force_login(street_user)
    client.post(ISSUE, {"user": street_user.pk})

    key = Token.objects.get(user=street_user).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api_client.get("/api/v1/estates/").status_code == 200


def test_replacing_a_token_asks_first_then_the_old_key_stops_working(
    client, api_client, street_user, clerk
):
    old = Token.objects.create(user=clerk)
    client.force_login(street_user)

    asked = client.post(ISSUE, {"user": clerk.pk})

    assert "旧令牌立即失效" in asked.content.decode()
    assert Token.objects.get(user=clerk).key == old.key

    client.post(ISSUE, {"user": clerk.pk, "replace": "on"})

    assert Token.objects.get(user=clerk).key != old.key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old.key}")
    assert api_client.get("/api/v1/estates/").status_code in (401, 403)


def test_owners_see_their_own_key(client, community_user):
    token = Token.objects.create(user=community_user)
    client.force_login(community_user)

    page = client.get(PAGE).content.decode()

    assert token.key in page
    assert "签发令牌" not in page


def test_revoking_asks_for_confirmation(client, community_user):
    Token.objects.create(user=community_user)
    client.force_login(community_user)

    confirm = client.get(revoke_url(community_user))

    assert confirm.status_code == 200
    assert "确定撤销您的 API 令牌吗" in confirm.content.decode()
    assert Token.objects.filter(user=community_user).exists()

    done = client.post(revoke_url(community_user), follow=True)

    assert not Token.objects.filter(user=community_user).exists()
    assert "已撤销" in done.content.decode()


def test_an_inactive_login_gets_no_token(client, street_user):
    retired = UserFactory(username="retired", is_active=False)
    client.force_login(street_user)

    response = client.post(ISSUE, {"user": retired.pk})

    assert response.status_code == 400
    assert not Token.objects.filter(user=retired).exists()


@pytest.mark.parametrize(
    ("role", "page", "issue", "revoke_own", "revoke_other", "sees_other"),
    [
        ("street", 200, 200, 302, 302, True),
        ("community", 200, 403, 302, 404, False),
        ("other_community", 200, 403, 302, 404, False),
        ("party", 200, 403, 302, 404, False),
        ("anonymous", "login", "login", "login", "login", False),
    ],
)
def test_who_may_do_what_with_tokens(
    client, role_users, clerk, role, page, issue, revoke_own, revoke_other, sees_other
):
    user = role_users[role]
    other = Token.objects.create(user=clerk)
    if user:
        Token.objects.create(user=user)
        client.force_login(user)

    def status(response):
        if response.status_code == 302 and "/admin/login/" in response["Location"]:
            return "login"
        return response.status_code

    listing = client.get(PAGE)
    assert status(listing) == page
    assert ("clerk" in listing.content.decode()) is sees_other
    assert status(client.post(ISSUE, {"user": clerk.pk, "replace": "on"})) == issue
    if user:
        assert status(client.post(revoke_url(user))) == revoke_own
    assert status(client.post(revoke_url(clerk))) == revoke_other
    # Only the street office issued (a new key) or revoked the clerk's token.
    assert Token.objects.filter(key=other.key).exists() is (role != "street")


def test_the_admin_links_to_the_token_page(client, community_user):
    client.force_login(community_user)

    assert f'href="{PAGE}"' in client.get("/admin/").content.decode()


def test_the_services_check_who_acts(community_user, clerk):
    with pytest.raises(TypeError):
        api_token_issue(user=clerk, actor=None)
    with pytest.raises(PermissionDenied, match="只有街道办工作人员"):
        api_token_issue(user=clerk, actor=community_user)
    Token.objects.create(user=clerk)
    with pytest.raises(PermissionDenied, match="只能撤销自己的"):
        api_token_revoke(user=clerk, actor=community_user)
    assert Token.objects.filter(user=clerk).exists()
