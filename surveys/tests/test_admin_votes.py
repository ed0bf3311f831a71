"""Owners' votes in the admin: created through vote_create (the rule in force
recorded), changed only as drafts, opened and closed with a reason (closing
freezes the count), ballots and consents shown read-only, deleted only as
drafts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from baitang.tests.html_forms import form_values
from communities.tests.factories import BuildingFactory, HouseholdFactory, OwnerFactory
from surveys.models import StatusChange, Vote
from surveys.services import ballot_cast, consent_record, vote_create
from surveys.tests.factories import VoteFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:surveys_vote_changelist")
ADD = reverse("admin:surveys_vote_add")


def change_url(vote):
    return reverse("admin:surveys_vote_change", args=[vote.pk])


def inlines(**counts):
    data = {}
    for prefix in ("consents", "ballots", "status_changes"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


@pytest.fixture
def building(community):
    return BuildingFactory(estate__community=community, unit_count=2, name="3栋")


def test_community_staff_create_a_vote_under_the_rule_in_force(
    client, community_user, building
):
    client.force_login(community_user)

    response = client.post(
        ADD,
        {
            **inlines(),
            "estate": building.estate_id,
            "building": building.pk,
            "unit": "1",
            "matter": "7",
            "title": "3栋1单元加装电梯",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    vote = Vote.objects.get(title="3栋1单元加装电梯")
    assert (vote.status, vote.rule_version) == ("draft", "civil-code-278-2021")
    assert vote.created_by == community_user


def test_a_unit_the_building_lacks_is_refused_on_its_field(
    client, street_user, building
):
    client.force_login(street_user)

    response = client.post(
        ADD,
        {
            **inlines(),
            "estate": building.estate_id,
            "building": building.pk,
            "unit": "5",
            "matter": "7",
            "title": "加装电梯",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["unit"] == ["该楼栋没有这个单元。"]
    assert not Vote.objects.exists()


def test_an_older_rule_can_be_named(client, street_user, building):
    client.force_login(street_user)

    client.post(
        ADD,
        {
            **inlines(),
            "estate": building.estate_id,
            "matter": "9",
            "title": "旧规则表决",
            "rule_version": "property-law-76-2007",
        },
    )

    assert Vote.objects.get(title="旧规则表决").rule_version == "property-law-76-2007"


def test_a_draft_changes_its_title_but_never_its_scope(client, street_user, building):
    vote = VoteFactory(estate=building.estate, status="draft", opens_at=None)
    client.force_login(street_user)
    data = form_values(client.get(change_url(vote)).content.decode())
    other = BuildingFactory(estate=building.estate)

    response = client.post(
        change_url(vote), {**data, "title": "改名后的表决", "building": other.pk}
    )

    assert response.status_code == 302
    vote.refresh_from_db()
    assert vote.title == "改名后的表决"
    assert vote.building is None


def test_an_open_vote_is_read_only_with_its_pages_linked(client, street_user, building):
    vote = VoteFactory(estate=building.estate, title="开放中的表决")
    client.force_login(street_user)

    page = client.get(change_url(vote)).content.decode()
    refused = client.post(change_url(vote), {"title": "改名"})

    assert 'name="_save"' not in page
    assert "表决已开始，不能再修改" in page
    assert f'href="{reverse("surveys:vote_result", args=[vote.pk])}"' in page
    assert f'href="{reverse("surveys:vote_paper", args=[vote.pk])}"' in page
    assert refused.status_code == 403
    vote.refresh_from_db()
    assert vote.title == "开放中的表决"


def test_ballots_and_consents_are_listed_read_only(
    client, street_user, community_user, building
):
    owner = OwnerFactory(name="王大爷")
    household = HouseholdFactory(
        building=building, unit=1, exclusive_area=Decimal("80"), owners=[owner]
    )
    vote = vote_create(
        estate=building.estate,
        building=building,
        matter=7,
        title="加装电梯",
        actor=street_user,
    )
    consent_record(
        vote=vote,
        household=household,
        consented=True,
        document="同意书第1号",
        actor=community_user,
    )
    Vote.objects.filter(pk=vote.pk).update(
        status="open", opens_at=timezone.now() - datetime.timedelta(hours=1)
    )
    vote.refresh_from_db()
    ballot_cast(
        vote=vote,
        household=household,
        choice="yes",
        actor=community_user,
        paper_date=timezone.localdate(),
        proxy_name="王小明",
        proxy_document="委托书2号",
    )
    client.force_login(street_user)

    page = client.get(change_url(vote)).content.decode()

    assert "同意书第1号" in page and "委托书2号" in page and "王小明" in page
    assert 'name="ballots-0-choice"' not in page  # read-only


def action(client, name, votes, **extra):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [v.pk for v in votes], **extra},
        follow=True,
    )


def test_opening_and_closing_log_the_reason_and_closing_freezes_the_count(
    client, community_user, building
):
    HouseholdFactory(building=building, exclusive_area=Decimal("90"))
    vote = vote_create(
        estate=building.estate, matter=9, title="停车管理规约", actor=community_user
    )
    client.force_login(community_user)

    asked = action(client, "open_votes", [vote])
    assert "status_reason_form" in asked.content.decode()
    action(client, "open_votes", [vote], apply="1", reason="公示期满")
    vote.refresh_from_db()
    assert vote.status == "open"

    action(client, "close_votes", [vote], apply="1", reason="到期")

    vote.refresh_from_db()
    assert vote.status == "closed"
    assert vote.result["total_heads"] == 1 and vote.passed is False
    assert list(
        StatusChange.objects.filter(vote=vote).values_list("to_status", "reason")
    ) == [("open", "公示期满"), ("closed", "到期")]


def test_an_open_vote_is_not_deleted_and_says_why(client, street_user, building):
    open_vote = VoteFactory(estate=building.estate)
    draft = VoteFactory(estate=building.estate, status="draft", opens_at=None)
    client.force_login(street_user)

    response = client.post(
        CHANGELIST,
        {
            "action": "delete_selected",
            "_selected_action": [open_vote.pk, draft.pk],
            "post": "yes",
        },
        follow=True,
    )

    # One refusal rolls the whole bulk delete back.
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "已开始的表决不能删除，只能结束。" in shown
    assert Vote.objects.count() == 2

    client.post(reverse("admin:surveys_vote_delete", args=[draft.pk]), {"post": "yes"})
    assert list(Vote.objects.all()) == [open_vote]
