"""Campaigns in the admin: created through campaign_create (templates by the
street office only), questions edited on the campaign's page and options and
menu items on each question's page while it is a draft, read-only afterwards,
status changes with a reason, copies and deletes through their services."""

import pytest
from django.urls import reverse

from baitang.tests.html_forms import form_values
from communities.tests.factories import BuildingFactory, EstateFactory
from surveys.models import Campaign, Option, Question, QuestionItem, StatusChange
from surveys.tests.factories import (
    CampaignFactory,
    MenuItemFactory,
    OptionFactory,
    QuestionFactory,
)
from surveys.tests.staff_data import answer_online, survey

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:surveys_campaign_changelist")
ADD = reverse("admin:surveys_campaign_add")


def change_url(campaign):
    return reverse("admin:surveys_campaign_change", args=[campaign.pk])


def question_url(question):
    return reverse("admin:surveys_question_change", args=[question.pk])


def draft(estate, **kwargs):
    return CampaignFactory(
        estate=estate, status="draft", opens_at=None, closes_at=None, **kwargs
    )


def add_row(data: dict, prefix: str, **values) -> dict:
    """A new inline row appended to a formset's posted data."""
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    data = {**data, f"{prefix}-TOTAL_FORMS": str(row + 1)}
    data.update({f"{prefix}-{row}-{name}": value for name, value in values.items()})
    return data


def new_campaign(estate, **changes):
    data = {
        "estate": estate.pk if estate else "",
        "title": "小区改造需求征询",
        "phase": "before",
        "channel": "online",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- Creating -------------------------------------------------------------------------


def test_community_staff_start_a_draft_with_its_first_questions(
    client, community_user, community
):
    estate = EstateFactory(community=community)
    client.force_login(community_user)
    data = add_row(
        new_campaign(estate),
        "questions",
        position="1",
        kind="text",
        prompt="您对小区改造还有什么意见？",
        max_length="300",
    )

    response = client.post(ADD, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign = Campaign.objects.get(title="小区改造需求征询")
    assert campaign.estate == estate
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.created_by == community_user
    question = campaign.questions.get()
    assert (question.position, question.kind, question.max_length) == (1, "text", 300)


def test_a_building_of_another_estate_is_refused_on_its_field(
    client, street_user, community
):
    estate = EstateFactory(community=community)
    elsewhere = BuildingFactory(estate=EstateFactory(community=community))
    client.force_login(street_user)

    response = client.post(ADD, new_campaign(estate, building=elsewhere.pk))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["building"] == ["所选楼栋不属于该小区。"]
    assert not Campaign.objects.filter(title="小区改造需求征询").exists()


def test_only_the_street_office_makes_templates(client, street_user, community_user):
    client.force_login(community_user)
    refused = client.post(ADD, new_campaign(None))
    client.force_login(street_user)
    made = client.post(ADD, new_campaign(None, title="通用模板"))

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["estate"] == [
        "请选择小区；模板由街道办维护。"
    ]
    assert made.status_code == 302
    template = Campaign.objects.get(title="通用模板")
    assert template.is_template and template.estate is None


# --- The question editor --------------------------------------------------------------


def test_questions_are_changed_and_removed_on_the_campaign_page(
    client, community_user, community
):
    campaign = draft(EstateFactory(community=community))
    first = QuestionFactory(campaign=campaign, position=1, kind="text", prompt="旧题目")
    second = QuestionFactory(campaign=campaign, position=2, kind="rating")
    client.force_login(community_user)
    data = form_values(client.get(change_url(campaign)).content.decode())
    data["questions-0-prompt"] = "新题目"
    data["questions-1-DELETE"] = "on"

    response = client.post(change_url(campaign), data)

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.prompt == "新题目"
    assert not Question.objects.filter(pk=second.pk).exists()


def test_a_condition_on_a_later_question_is_refused_in_chinese(
    client, street_user, community
):
    campaign = draft(EstateFactory(community=community))
    first = QuestionFactory(campaign=campaign, position=1, kind="text")
    decider = QuestionFactory(campaign=campaign, position=2, kind="single")
    option = OptionFactory(question=decider, position=1, label="是")
    client.force_login(street_user)
    data = form_values(client.get(change_url(campaign)).content.decode())
    data["questions-0-show_if_option"] = str(option.pk)

    response = client.post(change_url(campaign), data)

    assert response.status_code == 200
    assert "条件只能取自前面的题目。" in response.content.decode()
    first.refresh_from_db()
    assert first.show_if_option is None


def test_the_condition_choices_are_the_campaigns_own_options(
    client, street_user, community
):
    campaign = draft(EstateFactory(community=community))
    decider = QuestionFactory(campaign=campaign, position=1, kind="single")
    mine = OptionFactory(question=decider, position=1, label="同意")
    QuestionFactory(campaign=campaign, position=2, kind="text")
    other = OptionFactory(question=QuestionFactory(kind="single"), label="别人的")
    client.force_login(street_user)

    page = client.get(change_url(campaign)).content.decode()

    assert f'value="{mine.pk}"' in page and "第1题：同意" in page
    assert f'value="{other.pk}"' not in page


def test_options_are_edited_on_the_questions_page(client, street_user, community):
    campaign = draft(EstateFactory(community=community))
    question = QuestionFactory(campaign=campaign, position=1, kind="single")
    kept = OptionFactory(question=question, position=1, label="同意")
    client.force_login(street_user)
    data = form_values(client.get(question_url(question)).content.decode())
    data["options-0-label"] = "非常同意"
    data["options-1-position"] = "2"
    data["options-1-label"] = "不同意"

    response = client.post(question_url(question), data)

    # Back to the campaign, the options saved through the services.
    assert response.status_code == 302
    assert response["Location"] == change_url(campaign)
    kept.refresh_from_db()
    assert kept.label == "非常同意"
    assert list(question.options.values_list("label", flat=True)) == [
        "非常同意",
        "不同意",
    ]


def test_an_option_another_question_depends_on_is_not_removed(
    client, street_user, community
):
    campaign = draft(EstateFactory(community=community))
    decider = QuestionFactory(campaign=campaign, position=1, kind="single")
    option = OptionFactory(question=decider, position=1, label="有")
    QuestionFactory(campaign=campaign, position=2, kind="text", show_if_option=option)
    client.force_login(street_user)
    data = form_values(client.get(question_url(decider)).content.decode())
    data["options-0-DELETE"] = "on"

    response = client.post(question_url(decider), data)

    assert response.status_code == 200
    assert "第2题以该选项为显示条件" in response.content.decode()
    assert Option.objects.filter(pk=option.pk).exists()


def test_menu_items_and_their_cost_here_are_set_on_the_questions_page(
    client, street_user, community
):
    campaign = draft(EstateFactory(community=community))
    question = QuestionFactory(campaign=campaign, position=1, kind="menu_rank")
    item = MenuItemFactory(name="测试项·屋面防水")
    client.force_login(street_user)
    data = form_values(client.get(question_url(question)).content.decode())
    data.update({"items-0-item": str(item.pk), "items-0-cost": "88000"})

    response = client.post(question_url(question), data)

    assert response.status_code == 302
    row = QuestionItem.objects.get(question=question)
    assert (row.item, row.cost) == (item, 88000)
    page = client.get(question_url(question)).content.decode()
    # An offered item is removed and another added, never swapped in place.
    assert 'name="items-0-item" disabled' in page or (
        "disabled" in page.split('name="items-0-item"')[1].split(">")[0]
    )


def test_an_open_campaigns_questions_are_read_only_with_a_note(
    client, street_user, community
):
    data = survey(community)
    client.force_login(street_user)

    page = client.get(change_url(data.campaign)).content.decode()
    question_page = client.get(question_url(data.single))
    refused = client.post(question_url(data.single), {"prompt": "改题目"})

    assert "征询已开始，题目、选项和点单项目不能再修改" in page
    assert 'name="questions-0-prompt"' not in page
    assert 'name="_save"' in page  # its title and times stay editable
    assert 'name="_save"' not in question_page.content.decode()
    assert refused.status_code == 403
    data.single.refresh_from_db()
    assert data.single.prompt == "是否同意加装电梯"


def test_an_open_campaigns_title_and_times_stay_editable(
    client, street_user, community
):
    data = survey(community)
    client.force_login(street_user)
    form = form_values(client.get(change_url(data.campaign)).content.decode())
    form["title"] = "延长后的征询"

    response = client.post(change_url(data.campaign), form)

    assert response.status_code == 302
    data.campaign.refresh_from_db()
    assert data.campaign.title == "延长后的征询"
    assert data.campaign.status == Campaign.Status.OPEN


def test_the_campaign_page_links_to_the_staff_pages(client, street_user, community):
    data = survey(community)
    client.force_login(street_user)

    page = client.get(change_url(data.campaign)).content.decode()
    listing = client.get(CHANGELIST).content.decode()

    pk = data.campaign.pk
    for url in (
        reverse("surveys:campaign_results", args=[pk]),
        reverse("surveys:campaign_words", args=[pk]),
        reverse("surveys:campaign_paper", args=[pk]),
        f"{reverse('surveys:slips')}?estate={data.estate.pk}",
    ):
        assert f'href="{url}"' in page
        assert f'href="{url}"' in listing


def test_the_list_counts_responses_and_links_to_them(client, street_user, community):
    data = survey(community)
    answer_online(data, data.households[0])
    answer_online(data, data.households[1])
    client.force_login(street_user)

    listing = client.get(CHANGELIST)
    responses = client.get(
        reverse("admin:surveys_response_changelist"),
        {"campaign__id__exact": data.campaign.pk},
    )

    row = next(c for c in listing.context["cl"].result_list if c.pk == data.campaign.pk)
    assert row.response_total == 2
    assert len(responses.context["cl"].result_list) == 2


# --- Status changes -------------------------------------------------------------------


def action(client, name, campaigns, **extra):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [c.pk for c in campaigns], **extra},
        follow=True,
    )


def test_opening_asks_for_the_reason_first_then_logs_it(
    client, community_user, community
):
    campaign = draft(EstateFactory(community=community))
    QuestionFactory(campaign=campaign, position=1)
    client.force_login(community_user)

    asked = action(client, "open_campaigns", [campaign])
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert "status_reason_form" in asked.content.decode()

    done = action(
        client, "open_campaigns", [campaign], apply="1", reason="居民议事会同意"
    )

    campaign.refresh_from_db()
    assert campaign.status == "open"
    log = StatusChange.objects.get(campaign=campaign)
    assert (log.from_status, log.to_status, log.actor, log.reason) == (
        "draft",
        "open",
        community_user,
        "居民议事会同意",
    )
    assert "已变更 1 项的状态。" in messages_of(done)


def test_a_campaign_without_questions_does_not_open_and_says_why(
    client, street_user, community
):
    campaign = draft(EstateFactory(community=community))
    client.force_login(street_user)

    response = action(client, "open_campaigns", [campaign], apply="1")

    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert "征询还没有题目，不能开始。" in messages_of(response)


def test_closing_and_reopening_which_needs_a_reason(client, street_user, community):
    data = survey(community)
    client.force_login(street_user)

    action(client, "close_campaigns", [data.campaign], apply="1")
    data.campaign.refresh_from_db()
    assert data.campaign.status == "closed"

    no_reason = action(client, "reopen_campaigns", [data.campaign], apply="1")
    data.campaign.refresh_from_db()
    assert data.campaign.status == "closed"
    assert "请填写原因。" in no_reason.content.decode()

    action(client, "reopen_campaigns", [data.campaign], apply="1", reason="延长一周")
    data.campaign.refresh_from_db()
    assert data.campaign.status == "open"


def test_copy_opens_the_copy_page_for_one_campaign(client, street_user, community):
    first = draft(EstateFactory(community=community))
    second = draft(EstateFactory(community=community))
    client.force_login(street_user)

    one = client.post(CHANGELIST, {"action": "copy", "_selected_action": [first.pk]})
    two = action(client, "copy", [first, second])

    assert one.status_code == 302
    assert one["Location"] == reverse("surveys:campaign_copy", args=[first.pk])
    assert "请只选择一个征询或模板进行复制。" in messages_of(two)


# --- Deletes --------------------------------------------------------------------------


def test_a_draft_is_deleted_an_open_campaign_is_kept_with_the_reason(
    client, community_user, community
):
    estate = EstateFactory(community=community)
    gone = draft(estate)
    QuestionFactory(campaign=gone)
    kept = CampaignFactory(estate=estate)
    client.force_login(community_user)

    page = client.get(change_url(kept)).content.decode()
    single = client.post(
        reverse("admin:surveys_campaign_delete", args=[kept.pk]), {"post": "yes"}
    )
    bulk = action(client, "delete_selected", [gone, kept], post="yes")
    deleted = client.post(
        reverse("admin:surveys_campaign_delete", args=[gone.pk]), {"post": "yes"}
    )

    # An open campaign offers no delete; a bulk delete with one is refused whole.
    assert "deletelink" not in page
    assert single.status_code == 403
    assert "已开始的征询不能删除，只能结束。" in messages_of(bulk)
    assert deleted.status_code == 302
    assert list(Campaign.objects.all()) == [kept]
