import pytest
from django.urls import reverse

from surveys.codes import format_code
from surveys.models import AccessCode, OpenLink
from surveys.tests.factories import AccessCodeFactory
from surveys.tests.staff_data import estate_with_households, many_households

pytestmark = pytest.mark.django_db

URL = reverse("surveys:slips")


@pytest.fixture
def estate(community):
    return estate_with_households(community)


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_estate_id_that_only_looks_like_digits_asks_for_an_estate(
    client, community_user, estate, method
):
    client.force_login(community_user)

    response = getattr(client, method)(URL, {"estate": "²"})

    assert response.status_code == (200 if method == "get" else 400)
    assert response.context["estate"] is None


def test_without_an_estate_the_page_asks_for_one(client, community_user, estate):
    client.force_login(community_user)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["estate"] is None
    choices = [
        str(label) for _v, label in response.context["form"]["estate"].field.choices
    ]
    assert "藤翠苑7号小区（鹤洲社区）" in choices


def test_missing_codes_are_issued_on_request_then_printed(
    client, community_user, estate
):
    estate_, buildings, households = estate
    client.force_login(community_user)

    before = client.get(URL, {"estate": estate_.pk})
    assert before.context["missing"] == 6
    assert "还有 6 户没有访问码" in before.content.decode()
    assert AccessCode.objects.count() == 0  # a GET writes nothing

    response = client.post(URL, {"estate": estate_.pk})

    assert response.status_code == 302
    assert AccessCode.objects.filter(is_active=True).count() == 6
    assert OpenLink.objects.filter(estate=estate_).exists()
    page = client.get(response.url)
    html = page.content.decode()
    assert page.context["missing"] == 0
    assert html.count('<div class="qr-household"') == 6
    assert html.count('<div class="qr-open"') == 6
    for code in AccessCode.objects.all():
        assert format_code(code.code) in html
    assert "data-print" in html
    assert "style=" not in html


def test_one_building(client, community_user, estate):
    estate_, buildings, households = estate
    for household in households:
        AccessCodeFactory(household=household)
    client.force_login(community_user)

    response = client.get(URL, {"estate": estate_.pk, "building": buildings[1].pk})

    assert [
        slip.number for sheet in response.context["sheets"] for slip in sheet["slips"]
    ] == ["101", "102"]


def test_a_building_of_another_estate_is_refused(
    client, community_user, estate, community
):
    estate_, _buildings, _households = estate
    _other, other_buildings, _h = estate_with_households(community, name="另一个小区")
    client.force_login(community_user)

    response = client.get(
        URL, {"estate": estate_.pk, "building": other_buildings[0].pk}
    )

    assert response.status_code == 200
    assert response.context["estate"] is None
    assert response.context["form"].errors["building"]


def test_slips_are_paginated_by_ten_sheets(client, street_user, estate):
    estate_, buildings, households = estate
    for household in [*households, *many_households(buildings[0], 80)]:
        AccessCodeFactory(household=household)
    client.force_login(street_user)

    first = client.get(URL, {"estate": estate_.pk})
    second = client.get(URL, {"estate": estate_.pk, "page": 2})

    assert len(first.context["sheets"]) == 10
    assert sum(len(s["slips"]) for s in second.context["sheets"]) == 6


@pytest.mark.parametrize(
    ("role", "status"),
    [("street", 302), ("community", 302), ("other_community", 400), ("party", 403)],
)
def test_issuing_codes_by_role(client, role_users, estate, role, status):
    estate_, _buildings, _households = estate
    client.force_login(role_users[role])

    response = client.post(URL, {"estate": estate_.pk})

    # Another community's estate is not a choice: the form refuses it.
    assert response.status_code == status
    issued = AccessCode.objects.exists()
    assert issued == (role in ("street", "community"))


def test_anonymous_is_sent_to_login(client, estate):
    assert client.get(URL).status_code == 302


# --- reissuing one household's code -------------------------------------------------


def reissue_url(household):
    return reverse("surveys:slip_reissue", args=[household.pk])


def test_reissue_asks_first_then_stops_the_old_code(client, community_user, estate):
    _estate, _buildings, households = estate
    household = households[2]
    old = AccessCodeFactory(household=household)
    client.force_login(community_user)

    confirm = client.get(reissue_url(household))
    assert confirm.status_code == 200
    assert "原来的访问码和二维码立即作废" in confirm.content.decode()
    assert AccessCode.objects.get(pk=old.pk).is_active  # nothing happened yet

    response = client.post(reissue_url(household))

    assert response.status_code == 302
    assert response.url.endswith(f"#h{household.pk}")
    old.refresh_from_db()
    assert not old.is_active
    new = AccessCode.objects.get(household=household, is_active=True)
    assert new.issued_by == community_user
    page = client.get(response.url).content.decode()
    assert format_code(new.code) in page
    assert format_code(old.code) not in page.split("<main")[1].split("已为")[0]


@pytest.mark.parametrize(
    ("role", "status"),
    [("other_community", 404), ("party", 403), ("anonymous", 302)],
)
def test_others_cannot_reissue(client, role_users, estate, role, status):
    _estate, _buildings, households = estate
    old = AccessCodeFactory(household=households[0])
    if role_users[role]:
        client.force_login(role_users[role])

    response = client.post(reissue_url(households[0]))

    assert response.status_code == status
    old.refresh_from_db()
    assert old.is_active


@pytest.mark.parametrize("count", [4, pytest.param(60, marks=pytest.mark.slow)])
def test_slips_query_count_does_not_grow(
    client, django_assert_max_num_queries, community_user, estate, count
):
    estate_, buildings, households = estate
    for household in [*households, *many_households(buildings[0], count)]:
        AccessCodeFactory(household=household)
    client.force_login(community_user)

    with django_assert_max_num_queries(11):
        response = client.get(URL, {"estate": estate_.pk})

    assert response.context["page"].paginator.count == count + 6


def test_staff_call_the_code_by_the_name_on_the_slip(client, community_user, estate):
    # The slip, the home page and the resident pages say 访问码: the staff
    # pages said 入户码 and the admin 住户卡片 for the same thing.
    estate_, _buildings, households = estate
    client.force_login(community_user)
    client.post(URL, {"estate": estate_.pk})
    pages = [
        client.get(URL, {"estate": estate_.pk}),
        client.get(reverse("surveys:campaign_list")),
        client.get(reverse("surveys:slip_reissue", args=[households[0].pk])),
        client.get(reverse("admin:surveys_campaign_changelist")),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "入户码" not in html and "住户卡片" not in html
    assert "打印访问码" in pages[0].content.decode()
