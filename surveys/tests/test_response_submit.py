"""response_submit: one response per household, every version kept, answers
checked against the campaign, conditional questions decided on the server."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from baitang.roles import SYSTEM
from communities.tests.factories import BuildingFactory, HouseholdFactory
from surveys.models import Answer, Campaign, Question, Reply, Response, ResponseVersion
from surveys.permissions import Resident
from surveys.services import campaign_set_status, response_submit
from surveys.tests.factories import (
    CampaignFactory,
    OptionFactory,
    QuestionFactory,
    QuestionItemFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(community):
    return CampaignFactory(estate__community=community)


@pytest.fixture
def household(campaign):
    return HouseholdFactory(building=BuildingFactory(estate=campaign.estate))


@pytest.fixture
def rank_question(campaign):
    question = QuestionFactory(
        campaign=campaign, kind=Question.Kind.MENU_RANK, max_choices=3
    )
    rows = [QuestionItemFactory(question=question) for _ in range(4)]
    return question, [row.item_id for row in rows]


def submit(campaign, household, answers, **kwargs):
    kwargs.setdefault("actor", Resident(household))
    return response_submit(
        campaign=campaign, household=household, answers=answers, **kwargs
    )


def test_a_household_ranks_the_menu(campaign, household, rank_question):
    question, items = rank_question

    response = submit(campaign, household, {question.pk: [items[2], items[0]]})

    rows = Answer.objects.filter(response_id=response.pk).order_by("rank")
    assert [(row.item_id, row.rank) for row in rows] == [(items[2], 1), (items[0], 2)]
    assert response.channel == Response.Channel.ONLINE
    assert response.version == 1


def test_resubmitting_edits_the_one_response_and_keeps_every_version(
    campaign, household, rank_question
):
    question, items = rank_question
    submit(campaign, household, {question.pk: [items[0]]})

    response = submit(campaign, household, {question.pk: [items[1], items[3]]})

    assert Response.objects.filter(campaign=campaign, household=household).count() == 1
    assert response.version == 2
    assert list(
        Answer.objects.filter(response_id=response.pk).values_list("item_id", flat=True)
    ) == [items[1], items[3]]
    versions = ResponseVersion.objects.filter(response_id=response.pk).order_by(
        "version"
    )
    assert [v.answers for v in versions] == [
        [{"question": question.pk, "item": items[0], "rank": 1}],
        [
            {"question": question.pk, "item": items[1], "rank": 1},
            {"question": question.pk, "item": items[3], "rank": 2},
        ],
    ]


def test_an_item_not_on_the_menu_is_refused(campaign, household, rank_question):
    question, _items = rank_question
    elsewhere = QuestionItemFactory()  # an item of another campaign's question

    with pytest.raises(ValidationError) as error:
        submit(campaign, household, {question.pk: [elsewhere.item_id]})

    assert error.value.message_dict == {
        f"q{question.pk}": ["所选项目不在本次点单目录中，请刷新页面后重新选择。"]
    }
    assert not Response.objects.exists()


def test_ranking_more_items_than_allowed_is_refused(campaign, household, rank_question):
    question, items = rank_question

    with pytest.raises(ValidationError) as error:
        submit(campaign, household, {question.pk: items})

    assert error.value.message_dict[f"q{question.pk}"] == ["最多排 3 项，您排了 4 项。"]


def test_an_overspent_points_budget_is_refused(campaign, household):
    question = QuestionFactory(
        campaign=campaign, kind=Question.Kind.MENU_POINTS, points_budget=10
    )
    a, b = (
        QuestionItemFactory(question=question),
        QuestionItemFactory(question=question),
    )

    with pytest.raises(ValidationError) as error:
        submit(campaign, household, {question.pk: {a.item_id: 6, b.item_id: 5}})
    response = submit(campaign, household, {question.pk: {a.item_id: 6, b.item_id: 4}})

    assert error.value.message_dict[f"q{question.pk}"] == [
        "积分合计不能超过 10 分，您分配了 11 分。"
    ]
    assert sorted(
        Answer.objects.filter(response_id=response.pk).values_list("points", flat=True)
    ) == [4, 6]


def test_chosen_items_must_fit_the_cost_budget(campaign, household):
    question = QuestionFactory(
        campaign=campaign,
        kind=Question.Kind.MENU_BUDGET,
        cost_budget=Decimal("500000"),
    )
    lift = QuestionItemFactory(question=question, cost=Decimal("450000"))
    road = QuestionItemFactory(question=question, cost=Decimal("50000"))
    lights = QuestionItemFactory(question=question, cost=Decimal("0.01"))

    with pytest.raises(ValidationError) as error:
        submit(
            campaign,
            household,
            {question.pk: [lift.item_id, road.item_id, lights.item_id]},
        )
    fits = submit(campaign, household, {question.pk: [lift.item_id, road.item_id]})

    assert error.value.message_dict[f"q{question.pk}"] == [
        "所选项目估算合计 500,000 元，超出预算 500,000 元，请减少一些项目。"
    ]
    assert Answer.objects.filter(response_id=fits.pk).count() == 2


@pytest.mark.parametrize("rating", [0, 6, "五", -1])
def test_a_rating_out_of_range_is_refused(campaign, household, rating):
    question = QuestionFactory(campaign=campaign, kind=Question.Kind.RATING)

    with pytest.raises(ValidationError) as error:
        submit(campaign, household, {question.pk: rating})

    assert error.value.message_dict[f"q{question.pk}"] == ["评分应为 1 到 5 分。"]


def test_text_over_its_limit_is_refused_and_html_is_stored_as_typed(
    campaign, household
):
    question = QuestionFactory(
        campaign=campaign, kind=Question.Kind.TEXT, max_length=30
    )

    with pytest.raises(ValidationError) as error:
        submit(campaign, household, {question.pk: "路" * 31})
    response = submit(campaign, household, {question.pk: "<script>alert(1)</script>"})

    assert error.value.message_dict[f"q{question.pk}"] == [
        "最多 30 字，现在是 31 字，请删减一些。"
    ]
    answer = Answer.objects.get(response_id=response.pk)
    assert answer.text == "<script>alert(1)</script>"
    assert Reply.objects.get(response_id=response.pk).status == Reply.Status.PENDING


def test_a_tampered_question_id_is_refused(campaign, household, rank_question):
    other = QuestionFactory(kind=Question.Kind.TEXT)

    with pytest.raises(ValidationError) as error:
        submit(campaign, household, {other.pk: "hello"})

    assert error.value.message_dict["__all__"] == [
        "提交的内容与本次征询的题目不符，请刷新页面后重新填写。"
    ]


def test_a_conditional_question_is_stored_only_when_its_condition_holds(
    campaign, household
):
    # given: "Do you need a lift?" yes/no; "Which floor do you live on?" if yes
    needs_lift = QuestionFactory(campaign=campaign, kind=Question.Kind.SINGLE)
    yes = OptionFactory(question=needs_lift, label="需要")
    no = OptionFactory(question=needs_lift, label="不需要")
    why = QuestionFactory(
        campaign=campaign, kind=Question.Kind.TEXT, show_if_option=yes, required=True
    )

    # when the condition is not met, the answer sent anyway is dropped
    dropped = submit(campaign, household, {needs_lift.pk: no.pk, why.pk: "六楼"})
    # and when it is met, the conditional question is required
    with pytest.raises(ValidationError) as error:
        submit(campaign, household, {needs_lift.pk: yes.pk})

    assert list(
        Answer.objects.filter(response_id=dropped.pk).values_list(
            "question_id", flat=True
        )
    ) == [needs_lift.pk]
    assert error.value.message_dict == {f"q{why.pk}": ["这道题必须回答。"]}


def test_a_closed_campaign_refuses_answers(campaign, household):
    question = QuestionFactory(campaign=campaign, kind=Question.Kind.RATING)
    campaign_set_status(campaign=campaign, status=Campaign.Status.CLOSED, actor=SYSTEM)

    with pytest.raises(ValidationError) as error:
        submit(campaign, household, {question.pk: 4})

    assert error.value.messages == ["本次征询已结束或尚未开始，不能再提交。"]


def test_a_campaign_past_its_closing_time_refuses_answers(campaign, household):
    question = QuestionFactory(campaign=campaign, kind=Question.Kind.RATING)
    Campaign.objects.filter(pk=campaign.pk).update(
        closes_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    campaign.refresh_from_db()

    with pytest.raises(ValidationError):
        submit(campaign, household, {question.pk: 4})


def test_a_household_outside_the_campaign_scope_is_refused(campaign):
    building = BuildingFactory(estate=campaign.estate)
    Campaign.objects.filter(pk=campaign.pk).update(building=building, unit=2)
    campaign.refresh_from_db()
    question = QuestionFactory(campaign=campaign, kind=Question.Kind.RATING)
    other_unit = HouseholdFactory(building=building, unit=1)

    with pytest.raises(ValidationError) as error:
        submit(campaign, other_unit, {question.pk: 4})

    assert error.value.messages == ["该户不在本次征询的范围内。"]


def test_a_resident_answers_only_for_their_own_household(campaign, household):
    neighbour = HouseholdFactory(building=household.building)

    with pytest.raises(PermissionDenied):
        submit(campaign, household, {}, actor=Resident(neighbour))


def test_a_worker_enters_a_paper_response_marked_with_the_paper_date(
    campaign, household, community_user
):
    question = QuestionFactory(campaign=campaign, kind=Question.Kind.RATING)
    day = timezone.localdate() - datetime.timedelta(days=2)

    response = submit(
        campaign, household, {question.pk: 5}, actor=community_user, paper_date=day
    )

    stored = Response.objects.get(pk=response.pk)
    assert stored.channel == Response.Channel.PAPER
    assert stored.entered_by == community_user
    assert stored.paper_date == day


def test_a_paper_response_needs_its_date(campaign, household, community_user):
    with pytest.raises(ValidationError) as error:
        submit(campaign, household, {}, actor=community_user)

    assert error.value.message_dict == {"paper_date": ["请填写纸质问卷上的日期。"]}


def test_staff_of_another_community_cannot_enter_paper(
    campaign, household, other_community_user
):
    with pytest.raises(PermissionDenied):
        submit(
            campaign,
            household,
            {},
            actor=other_community_user,
            paper_date=timezone.localdate(),
        )


def test_a_write_without_an_actor_is_a_bug(campaign, household):
    with pytest.raises(TypeError):
        submit(campaign, household, {}, actor=None)
