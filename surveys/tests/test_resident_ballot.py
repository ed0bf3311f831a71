"""A household's ballot page: what is decided and under which rule, the ballot
同意/反对/弃权, changeable until the vote closes, read-only afterwards."""

import pytest

from baitang.roles import SYSTEM
from communities.tests.factories import BuildingFactory
from surveys.models import Ballot, Vote
from surveys.services import ballot_cast, vote_set_status
from surveys.tests.factories import VoteFactory
from surveys.tests.resident_data import full_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(community):
    return full_campaign(community, kinds=["text"])


@pytest.fixture
def vote(setup):
    return VoteFactory(
        estate=setup.campaign.estate,
        building=setup.household.building,
        title="加装电梯表决",
        description="在本栋加装一部电梯，费用按楼层分摊。",
    )


def url(setup, vote):
    return f"/s/{setup.code}/v/{vote.pk}/"


def test_the_ballot_page_explains_the_matter_and_the_rule(client, setup, vote):
    page = client.get(url(setup, vote)).content.decode()

    assert "加装电梯表决" in page
    assert "第7项：改建、重建建筑物及其附属设施" in page
    assert "四分之三以上" in page
    assert "三分之二以上" in page
    assert "在本栋加装一部电梯，费用按楼层分摊。" in page
    for label in ["同意", "反对", "弃权"]:
        assert f"<span>{label}</span>" in page


def test_a_household_casts_and_changes_its_ballot(client, setup, vote):
    response = client.post(url(setup, vote), {"choice": "yes"})

    assert response.status_code == 302
    assert response["Location"] == f"{setup.household_url}?saved=v{vote.pk}"
    household_page = client.get(response["Location"]).content.decode()
    assert "已投票，可在表决结束前修改。" in household_page
    assert "您家的表决票：同意" in household_page

    client.post(url(setup, vote), {"choice": "no"})

    ballot = Ballot.objects.get(vote=vote)
    assert ballot.choice == Ballot.Choice.NO
    assert ballot.channel == Ballot.Channel.ONLINE
    assert [entry["choice"] for entry in ballot.history] == ["yes", "no"]
    assert 'value="no" checked' in client.get(url(setup, vote)).content.decode()


@pytest.mark.parametrize("choice", ["", "maybe", "<b>yes</b>"])
def test_a_ballot_without_a_valid_choice_is_refused(client, setup, vote, choice):
    response = client.post(url(setup, vote), {"choice": choice})

    assert response.status_code == 200
    assert "请选择同意、反对或弃权。" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_closed_vote_is_read_only_with_its_result(client, setup, vote):
    # Closed with no ballot: no condition is met.
    vote_set_status(vote=vote, status=Vote.Status.CLOSED, actor=SYSTEM)

    page = client.get(url(setup, vote)).content.decode()
    posted = client.post(url(setup, vote), {"choice": "yes"})

    assert "表决已结束。" in page
    assert "表决结果：未通过。" in page
    assert "参与表决业主人数未达到业主总人数的三分之二以上" in page
    assert 'name="choice"' not in page
    assert posted.status_code == 200
    assert "表决已结束，刚才的选择没有保存。" in posted.content.decode()
    assert not Ballot.objects.exists()


def test_a_vote_of_another_building_or_a_draft_is_not_found(client, setup, vote):
    other = VoteFactory(
        estate=setup.campaign.estate,
        building=BuildingFactory(estate=setup.campaign.estate),
    )
    draft = VoteFactory(estate=setup.campaign.estate, status=Vote.Status.DRAFT)

    for hidden in (other, draft):
        response = client.get(url(setup, hidden))
        assert response.status_code == 404
        assert "没有找到这次表决" in response.content.decode()
        assert client.post(url(setup, hidden), {"choice": "yes"}).status_code == 404
    assert not Ballot.objects.exists()


def test_the_household_page_lists_the_vote(client, setup, vote):
    page = client.get(setup.household_url).content.decode()

    assert "业主表决" in page
    assert "加装电梯表决" in page
    assert "还没有投票。" in page
    assert f'href="{url(setup, vote)}"' in page


def test_a_ballot_cast_by_a_proxy_names_the_proxy(client, setup, vote, community_user):
    # The household sees who voted in its name, on paper, with a written proxy.
    ballot_cast(
        vote=vote,
        household=setup.household,
        choice="yes",
        actor=community_user,
        paper_date=vote.opens_at.date(),
        proxy_name="王小明",
        proxy_document="委托书第003号",
    )

    page = client.get(url(setup, vote)).content.decode()

    assert "（纸质表决票，由工作人员录入）" in page
    assert "（由受托人王小明凭书面委托投票）" in page


def test_a_rented_flat_s_code_cannot_vote_for_the_owner(client, setup, vote):
    setup.household.occupancy = "rented"
    setup.household.save(update_fields=["occupancy"])

    page = client.get(url(setup, vote)).content.decode()
    posted = client.post(url(setup, vote), {"choice": "yes"})

    assert "网上投票只面向业主自住的住户" in page
    assert 'name="choice"' not in page
    assert "网上投票只面向业主自住的住户" in posted.content.decode()
    assert not Ballot.objects.exists()
