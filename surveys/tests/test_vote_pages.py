import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Household
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
)
from surveys import services
from surveys.models import Ballot, OccupiedConsent, StatusChange, Vote
from surveys.permissions import Resident
from surveys.tests.factories import VoteFactory

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def result_url(vote):
    return reverse("surveys:vote_result", args=[vote.pk])


def paper_url(vote):
    return reverse("surveys:vote_paper", args=[vote.pk])


def status_url(vote):
    return reverse("surveys:vote_status", args=[vote.pk])


@pytest.fixture
def elevator(community):
    """An elevator vote in one building of four households of 100 ㎡, each with
    its own owner: two agree, one refuses, one has not voted."""
    estate = EstateFactory(name="藤翠苑7号小区", community=community)
    building = BuildingFactory(estate=estate, name="3栋")
    households = [
        HouseholdFactory(
            building=building,
            number=str(100 * floor + 1),
            exclusive_area=Decimal("100.00"),
            owners=[OwnerFactory()],
        )
        for floor in range(1, 5)
    ]
    vote = VoteFactory(estate=estate, building=building, title="3栋加装电梯表决")
    for household, choice in zip(households, ["yes", "yes", "no"], strict=False):
        services.ballot_cast(
            vote=vote, household=household, choice=choice, actor=Resident(household)
        )
    return vote, households


# --- the result page ------------------------------------------------------------


def test_the_result_shows_each_figure_and_condition(client, community_user, elevator):
    vote, _households = elevator
    client.force_login(community_user)

    response = client.get(result_url(vote))

    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["area"] == {
        "total": "400.00 ㎡",
        "part": "300.00 ㎡",
        "part_share": "75.00%",
        "yes": "200.00 ㎡",
        "yes_share": "66.67%",
        "no": "100.00 ㎡",
    }
    assert figures["heads"]["part_share"] == "75.00%"
    assert figures["heads"]["yes_share"] == "66.67%"
    assert [c["ok"] for c in figures["conditions"]] == [True, True, False, False, True]
    assert figures["conditions"][2]["required"] == "3/4以上（75.00%）"
    assert figures["conditions"][0]["required"] == "2/3以上（66.67%）"
    page = response.content.decode()
    assert "✘ 按现有表决票，尚未达到通过条件" in page
    assert page.count("✔ 达到") == 3
    assert page.count("✘ 未达到") == 2
    assert "同意的专有部分面积未达到参与表决业主专有部分面积的四分之三以上" in page
    assert "《民法典》第二百七十八条（2021年1月1日起施行）" in page
    assert "civil-code-278-2021" in page
    assert "已收表决票 3 张：手机投票 3 张" in page


def test_an_ordinary_matter_needs_more_than_half(client, street_user, elevator):
    vote, _households = elevator
    Vote.objects.filter(pk=vote.pk).update(matter=4)
    client.force_login(street_user)

    figures = client.get(result_url(vote)).context["figures"]

    assert figures["conditions"][2]["required"] == "超过1/2（50.00%）"
    assert all(c["ok"] for c in figures["conditions"])
    assert (
        "✔ 按现有表决票，各项条件均已达到"
        in client.get(result_url(vote)).content.decode()
    )


def test_consents_of_affected_owners_are_listed(client, community_user, elevator):
    vote, households = elevator
    services.consent_record(
        vote=vote, household=households[3], consented=False, actor=community_user
    )
    services.consent_record(
        vote=vote,
        household=households[0],
        consented=True,
        document="同意书2026-01",
        actor=community_user,
    )
    client.force_login(community_user)

    response = client.get(result_url(vote))

    page = response.content.decode()
    assert "✔ 书面同意" in page
    assert "同意书2026-01" in page
    assert "✘ 未同意" in page
    consent = response.context["figures"]["conditions"][4]
    assert (consent["ok"], consent["actual"]) == (False, "1 位未同意")
    assert "专有部分受影响的业主未全部书面同意" in page


def test_a_closed_vote_shows_the_count_frozen_at_closing(
    client, community_user, elevator
):
    vote, households = elevator
    client.force_login(community_user)

    confirm = client.get(status_url(vote), {"to": "closed"})
    assert "结果将按现有表决票计算并固定" in confirm.content.decode()
    response = client.post(status_url(vote), {"to": "closed", "reason": "到期"})

    assert response.status_code == 302
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED
    assert vote.passed is False
    assert StatusChange.objects.get(vote=vote, to_status="closed").reason == "到期"
    # The register changes afterwards: the closed result does not.
    Household.objects.filter(pk=households[3].pk).update(
        exclusive_area=Decimal("900.00")
    )
    page = client.get(result_url(vote))
    assert page.context["result"].frozen is True
    assert page.context["figures"]["area"]["total"] == "400.00 ㎡"
    text = page.content.decode()
    assert "表决结果（结束时固定）" in text
    assert "✘ 表决未通过" in text
    assert f'href="{paper_url(vote)}"' not in text
    assert "?to=" not in text  # a closed vote has no further move


def test_opening_a_draft_vote(client, street_user, elevator):
    vote, _households = elevator
    Vote.objects.filter(pk=vote.pk).update(status=Vote.Status.DRAFT, opens_at=None)
    client.force_login(street_user)

    page = client.get(result_url(vote)).content.decode()
    assert f'href="{status_url(vote)}?to=open"' in page
    response = client.post(status_url(vote), {"to": "open"})

    assert response.status_code == 302
    vote.refresh_from_db()
    assert vote.status == Vote.Status.OPEN


def test_an_illegal_move_is_refused(client, street_user, elevator):
    vote, _households = elevator
    client.force_login(street_user)

    response = client.post(status_url(vote), {"to": "draft"})

    assert response.status_code == 409
    assert "不能进行该操作" in response.content.decode()
    vote.refresh_from_db()
    assert vote.status == Vote.Status.OPEN


@pytest.mark.parametrize(
    ("role", "status"),
    [("street", 200), ("community", 200), ("other_community", 404), ("party", 403)],
)
def test_result_page_by_role(client, role_users, elevator, role, status):
    vote, _households = elevator
    client.force_login(role_users[role])

    assert client.get(result_url(vote)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("other_community", 404), ("party", 403), ("anonymous", 302)],
)
def test_others_cannot_close_a_vote(client, role_users, elevator, role, status):
    vote, _households = elevator
    if role_users[role]:
        client.force_login(role_users[role])

    response = client.post(status_url(vote), {"to": "closed"})

    assert response.status_code == status
    vote.refresh_from_db()
    assert vote.status == Vote.Status.OPEN


@pytest.mark.parametrize("count", [4, pytest.param(80, marks=pytest.mark.slow)])
def test_result_query_count_does_not_grow(
    client, django_assert_max_num_queries, community_user, elevator, count
):
    vote, households = elevator
    for _ in range(count):
        household = HouseholdFactory(
            building=households[0].building, owners=[OwnerFactory()]
        )
        services.ballot_cast(
            vote=vote, household=household, choice="yes", actor=Resident(household)
        )
    client.force_login(community_user)

    with django_assert_max_num_queries(9):
        response = client.get(result_url(vote))

    assert response.context["result"].tally.part_heads == count + 3


# --- paper ballots and consents ----------------------------------------------------


def ballot_data(household, **changes):
    data = {
        "household": str(household.pk),
        "action": "ballot",
        "ballot-choice": "yes",
        "ballot-paper_date": YESTERDAY.isoformat(),
        "ballot-proxy_name": "",
        "ballot-proxy_document": "",
    }
    data.update(changes)
    return data


def test_a_worker_enters_a_paper_ballot_with_a_written_proxy(
    client, community_user, elevator
):
    vote, households = elevator
    household = households[3]
    client.force_login(community_user)

    picker = client.get(paper_url(vote), {"number": "401"})
    assert [h.pk for h in picker.context["households"]] == [household.pk]
    form = client.get(paper_url(vote), {"household": household.pk})
    assert form.status_code == 200
    response = client.post(
        paper_url(vote),
        ballot_data(
            household,
            **{
                "ballot-proxy_name": "王小明",
                "ballot-proxy_document": "委托书第12号",
            },
        ),
    )

    assert response.status_code == 302
    ballot = Ballot.objects.get(vote=vote, household=household)
    assert ballot.channel == Ballot.Channel.PAPER
    assert (ballot.paper_date, ballot.entered_by) == (YESTERDAY, community_user)
    assert (ballot.proxy_name, ballot.proxy_document) == ("王小明", "委托书第12号")
    result = client.get(result_url(vote)).content.decode()
    assert "纸质代录 1 张（其中委托投票 1 张）" in result


def test_a_second_ballot_changes_the_holders_vote(client, community_user, elevator):
    vote, households = elevator
    client.force_login(community_user)

    form = client.get(paper_url(vote), {"household": households[2].pk})
    assert "该业主已投票：反对（手机投票）" in form.content.decode()
    client.post(paper_url(vote), ballot_data(households[2]))

    ballot = Ballot.objects.get(vote=vote, household=households[2])
    assert ballot.choice == "yes"
    assert len(ballot.history) == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ballot-proxy_name": "王小明"}, "委托投票须登记书面委托书。"),
        (
            {
                "ballot-paper_date": (
                    timezone.localdate() + datetime.timedelta(days=1)
                ).isoformat()
            },
            "表决票日期不能晚于今天。",
        ),
        ({"ballot-paper_date": ""}, "请填写表决票上的日期。"),
        ({"ballot-choice": "maybe"}, "选择一个有效的选项"),
    ],
)
def test_a_bad_paper_ballot_is_refused(
    client, community_user, elevator, changes, message
):
    vote, households = elevator
    client.force_login(community_user)

    response = client.post(paper_url(vote), ballot_data(households[3], **changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ballot.objects.filter(vote=vote, household=households[3]).exists()


def test_a_closed_vote_takes_no_paper_ballot(client, community_user, elevator):
    vote, households = elevator
    Vote.objects.filter(pk=vote.pk).update(status=Vote.Status.CLOSED)
    client.force_login(community_user)

    response = client.post(paper_url(vote), ballot_data(households[3]))

    assert response.status_code == 400
    assert "表决已结束或尚未开始" in response.content.decode()


def test_a_household_outside_the_vote_is_refused(client, community_user, elevator):
    vote, households = elevator
    other_building = BuildingFactory(estate=vote.estate, name="4栋")
    outside = HouseholdFactory(building=other_building, owners=[OwnerFactory()])
    stranger = HouseholdFactory()
    client.force_login(community_user)

    response = client.post(paper_url(vote), ballot_data(outside))
    missing = client.post(paper_url(vote), ballot_data(stranger))

    assert response.status_code == 400
    assert "该户不在本次表决的范围内" in response.content.decode()
    assert missing.status_code == 404
    assert not Ballot.objects.filter(household__in=[outside, stranger]).exists()


def test_ids_that_only_look_like_digits_are_refused(client, community_user, elevator):
    # "²" passes str.isdigit() but is no number int() reads.
    vote, _households = elevator
    client.force_login(community_user)

    listed = client.get(reverse("surveys:vote_list"), {"estate": "²"})
    picked = client.get(paper_url(vote), {"household": "²"})
    posted = client.post(paper_url(vote), {"household": "²", "action": "ballot"})

    assert listed.status_code == 200
    assert listed.context["estate"] is None
    assert (picked.status_code, posted.status_code) == (400, 400)


def test_consent_is_recorded_and_needs_its_document(client, community_user, elevator):
    vote, households = elevator
    client.force_login(community_user)
    data = {"household": str(households[0].pk), "action": "consent"}

    refused = client.post(paper_url(vote), {**data, "consent-consented": "1"})
    saved = client.post(
        paper_url(vote),
        {**data, "consent-consented": "1", "consent-document": "同意书第3号"},
    )

    assert refused.status_code == 400
    assert "请登记书面同意书的编号或说明。" in refused.content.decode()
    assert saved.status_code == 302
    consent = OccupiedConsent.objects.get(vote=vote, household=households[0])
    assert (consent.consented, consent.document) == (True, "同意书第3号")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("street", 302),
        ("community", 302),
        ("other_community", 404),
        ("party", 403),
        ("anonymous", 302),
    ],
)
def test_paper_ballots_by_role(client, role_users, elevator, role, status):
    vote, households = elevator
    if role_users[role]:
        client.force_login(role_users[role])

    response = client.post(paper_url(vote), ballot_data(households[3]))

    assert response.status_code == status
    cast = Ballot.objects.filter(vote=vote, household=households[3]).exists()
    assert cast == (role in ("street", "community"))


def test_the_vote_list_shows_the_estates_votes(
    client, community_user, other_community, elevator
):
    vote, _households = elevator
    VoteFactory(estate=EstateFactory(community=other_community), title="别处的表决")
    client.force_login(community_user)

    response = client.get(reverse("surveys:vote_list"))

    assert [v.title for v in response.context["page"]] == ["3栋加装电梯表决"]
    assert "别处的表决" not in response.content.decode()


@pytest.mark.parametrize("count", [2, pytest.param(30, marks=pytest.mark.slow)])
def test_vote_list_query_count_does_not_grow(
    client, django_assert_max_num_queries, community_user, community, count
):
    estate = EstateFactory(community=community)
    for n in range(count):
        VoteFactory(
            estate=estate, building=BuildingFactory(estate=estate), title=f"表决{n}"
        )
    client.force_login(community_user)

    with django_assert_max_num_queries(5):
        response = client.get(reverse("surveys:vote_list"), {"estate": estate.pk})

    assert len(response.context["page"]) == min(count, 20)
