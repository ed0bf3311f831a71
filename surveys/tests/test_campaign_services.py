"""Campaigns through the services: the status machine, questions frozen once
open, copies from campaigns and templates, access codes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baitang.roles import SYSTEM
from communities.tests.factories import BuildingFactory, EstateFactory, HouseholdFactory
from surveys.codes import ALPHABET, CODE_LENGTH, format_code, normalise_code
from surveys.models import AccessCode, Campaign, Question, StatusChange
from surveys.selectors import household_for_code
from surveys.services import (
    access_code_issue,
    access_codes_ensure,
    campaign_copy,
    campaign_create,
    campaign_set_status,
    option_create,
    question_create,
    question_item_add,
    question_update,
)
from surveys.structure import campaign_structure
from surveys.tests.factories import MenuItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(community):
    return EstateFactory(community=community)


@pytest.fixture
def draft(estate, community_user):
    return campaign_create(estate=estate, title="改造需求征询", actor=community_user)


def test_a_campaign_opens_and_closes_and_every_move_is_logged(draft, community_user):
    question_create(
        campaign=draft, kind=Question.Kind.RATING, prompt="满意吗", actor=community_user
    )

    campaign_set_status(campaign=draft, status="open", actor=community_user)
    campaign_set_status(campaign=draft, status="closed", actor=community_user)

    moves = list(
        StatusChange.objects.filter(campaign=draft).values_list(
            "from_status", "to_status", "actor"
        )
    )
    assert moves == [
        ("draft", "open", community_user.pk),
        ("open", "closed", community_user.pk),
    ]
    assert draft.opens_at is not None and draft.closes_at is not None


def test_a_campaign_without_questions_cannot_open(draft, community_user):
    with pytest.raises(ValidationError) as error:
        campaign_set_status(campaign=draft, status="open", actor=community_user)

    assert error.value.message_dict == {"status": ["征询还没有题目，不能开始。"]}


@pytest.mark.parametrize(
    ("start", "to"), [("draft", "closed"), ("open", "draft"), ("closed", "draft")]
)
def test_illegal_moves_are_refused(estate, start, to):
    campaign = Campaign.objects.create(estate=estate, title="x", status=start)

    with pytest.raises(ValidationError):
        campaign_set_status(campaign=campaign, status=to, actor=SYSTEM)

    campaign.refresh_from_db()
    assert campaign.status == start


def test_reopening_needs_a_reason(draft, community_user):
    question_create(
        campaign=draft, kind=Question.Kind.TEXT, prompt="意见", actor=community_user
    )
    campaign_set_status(campaign=draft, status="open", actor=community_user)
    campaign_set_status(campaign=draft, status="closed", actor=community_user)

    with pytest.raises(ValidationError) as error:
        campaign_set_status(campaign=draft, status="open", actor=community_user)
    campaign_set_status(
        campaign=draft, status="open", actor=community_user, reason="延长一周"
    )

    assert error.value.message_dict == {"reason": ["重新开始征询须说明原因。"]}
    assert draft.status == "open"


def test_questions_are_frozen_once_the_campaign_opens(draft, community_user):
    question = question_create(
        campaign=draft, kind=Question.Kind.TEXT, prompt="意见", actor=community_user
    )
    campaign_set_status(campaign=draft, status="open", actor=community_user)

    with pytest.raises(ValidationError):
        question_update(question=question, prompt="改了", actor=community_user)
    with pytest.raises(ValidationError):
        question_create(
            campaign=draft, kind=Question.Kind.TEXT, prompt="新题", actor=community_user
        )


def test_a_condition_must_come_from_an_earlier_question(draft, community_user):
    first = question_create(
        campaign=draft, kind=Question.Kind.SINGLE, prompt="需要电梯吗", actor=SYSTEM
    )
    yes = option_create(question=first, label="需要", actor=SYSTEM)
    later = question_create(
        campaign=draft,
        kind=Question.Kind.TEXT,
        prompt="为什么",
        show_if_option=yes,
        actor=SYSTEM,
    )

    with pytest.raises(ValidationError):
        question_update(question=first, show_if_option=yes, actor=SYSTEM)

    assert later.show_if_option == yes


def test_changing_a_question_refreshes_the_cached_structure(draft):
    question = question_create(
        campaign=draft, kind=Question.Kind.TEXT, prompt="意见", actor=SYSTEM
    )
    draft.refresh_from_db()
    assert campaign_structure(draft).questions[0].prompt == "意见"

    question_update(question=question, prompt="您的意见", actor=SYSTEM)
    draft.refresh_from_db()

    assert campaign_structure(draft).questions[0].prompt == "您的意见"


def test_staff_of_another_community_cannot_start_a_campaign(
    estate, other_community_user
):
    with pytest.raises(PermissionDenied):
        campaign_create(estate=estate, title="x", actor=other_community_user)


def test_only_the_street_office_makes_templates(community_user, street_user):
    with pytest.raises(PermissionDenied):
        campaign_create(estate=None, title="模板", actor=community_user)

    template = campaign_create(estate=None, title="模板", actor=street_user)

    assert template.is_template is True


def test_a_template_is_copied_with_its_questions_options_items_and_conditions(
    estate, street_user, community_user
):
    # given a template with a menu question and a conditional question
    template = campaign_create(estate=None, title="施工前需求征询", actor=street_user)
    menu = question_create(
        campaign=template, kind=Question.Kind.MENU_RANK, prompt="排序", actor=SYSTEM
    )
    lift = MenuItemFactory(name="加装电梯")
    question_item_add(question=menu, item=lift, actor=SYSTEM)
    ask = question_create(
        campaign=template, kind=Question.Kind.SINGLE, prompt="需要吗", actor=SYSTEM
    )
    yes = option_create(question=ask, label="需要", actor=SYSTEM)
    question_create(
        campaign=template,
        kind=Question.Kind.TEXT,
        prompt="为什么",
        show_if_option=yes,
        actor=SYSTEM,
    )
    building = BuildingFactory(estate=estate)

    # when a community worker copies it to one building
    copy = campaign_copy(
        source=template, estate=estate, building=building, actor=community_user
    )

    # then
    assert (copy.status, copy.is_template, copy.copied_from) == (
        "draft",
        False,
        template,
    )
    questions = list(copy.questions.order_by("position"))
    assert [q.prompt for q in questions] == ["排序", "需要吗", "为什么"]
    assert list(questions[0].items.values_list("item__name", flat=True)) == ["加装电梯"]
    assert questions[2].show_if_option.question == questions[1]
    assert questions[2].show_if_option != yes


def test_a_campaign_of_another_community_cannot_be_copied(
    estate, community_user, other_community
):
    # Its questions and wording are that community's: the service refuses
    # even a caller that forgot to fetch the source in the actor's scope.
    theirs = campaign_create(
        estate=EstateFactory(community=other_community),
        title="福星苑停车征询",
        actor=SYSTEM,
    )
    question_create(
        campaign=theirs, kind=Question.Kind.TEXT, prompt="停车难吗", actor=SYSTEM
    )

    with pytest.raises(PermissionDenied):
        campaign_copy(source=theirs, estate=estate, actor=community_user)

    assert not Campaign.objects.filter(copied_from=theirs).exists()


def test_every_household_gets_one_active_code(estate, community_user):
    building = BuildingFactory(estate=estate)
    households = [HouseholdFactory(building=building) for _ in range(3)]

    issued = access_codes_ensure(estate=estate, actor=community_user)
    again = access_codes_ensure(estate=estate, actor=community_user)

    assert (issued, again) == (3, 0)
    for household in households:
        code = AccessCode.objects.get(household=household, is_active=True).code
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
        assert household_for_code(format_code(code).lower()) == household


def test_reissuing_a_code_stops_the_old_one_at_once(estate, community_user):
    household = HouseholdFactory(building=BuildingFactory(estate=estate))
    old = access_code_issue(household=household, actor=community_user)

    new = access_code_issue(household=household, actor=community_user)

    assert household_for_code(old.code) is None
    assert household_for_code(new.code) == household
    assert AccessCode.objects.filter(household=household, is_active=True).count() == 1


def test_codes_are_read_forgivingly():
    assert normalise_code(" 0123o-ilabc-defgh ") == "01230" + "11ABC" + "DEFGH"
    assert normalise_code("too-short") is None
    assert normalise_code("UUUUU-UUUUU-UUUUU") is None  # U is not in the alphabet
    assert normalise_code("x" * 1000) is None
