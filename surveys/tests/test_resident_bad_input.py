"""Bad input on the residents' pages: each gets a clear Chinese message at the
question it concerns (and in the summary at the top), the answers typed so far
come back, nothing is stored, and nothing is ever a 500."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from baitang.roles import SYSTEM
from communities.tests.image_samples import encode, picture
from surveys.models import Answer, Response
from surveys.services import access_code_issue
from surveys.tests.factories import QuestionItemFactory
from surveys.tests.resident_data import full_campaign, rank_fields

pytestmark = pytest.mark.django_db

INVALID = "访问码无效或已停用，请核对纸条上的访问码，或联系社区工作人员。"


@pytest.fixture
def setup(community):
    return full_campaign(community)


def valid_post(setup, **extra):
    data = rank_fields(setup, 1, 2)
    data[f"q{setup.q('wants')}"] = str(setup.options["wants"][1])
    data[f"q{setup.q('rating')}"] = "4"
    data[f"q{setup.q('text')}"] = "楼道灯坏了"
    data.update(extra)
    return data


def error_at(page: str, question_id: int) -> str:
    """The error text shown inside one question's fieldset."""
    match = re.search(
        rf'<div class="question-error" id="q{question_id}-error">(.*?)</div>',
        page,
        re.S,
    )
    assert match, f"no error shown at question {question_id}"
    return re.sub(r"<[^>]+>", "", match[1])


def post(client, setup, data):
    response = client.post(setup.url, data)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_valid_form_is_accepted(client, setup):
    assert client.post(setup.url, valid_post(setup)).status_code == 302


@pytest.mark.parametrize(
    "path", ["/s/{code}/", "/s/{code}/c/{campaign}/", "/s/{code}/v/1/"]
)
@pytest.mark.parametrize(
    "code",
    [
        "ZZZZZZZZZZZZZZZ",  # well formed, no such code
        "ABC",  # too short
        "ABCDEFGHJKMNPQRSTV",  # too long
        "UUUUUUUUUUUUUUU",  # U is not in the alphabet
        "%3Cscript%3E",
    ],
)
def test_an_unknown_or_mistyped_code_reveals_nothing(client, setup, path, code):
    response = client.get(path.format(code=code, campaign=setup.campaign.pk))

    assert response.status_code == 404
    page = response.content.decode()
    assert INVALID in page
    assert "藤翠苑" not in page
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_reissued_code_stops_working_at_once(client, setup, street_user):
    new = access_code_issue(household=setup.household, actor=street_user)

    old = client.get(setup.household_url)
    fresh = client.get(f"/s/{new.code}/")

    assert old.status_code == 404
    assert INVALID in old.content.decode()
    assert fresh.status_code == 200
    assert client.post(setup.url, valid_post(setup)).status_code == 404
    assert not Response.objects.exists()


def test_a_mistyped_code_in_the_box_gets_the_same_page_and_can_be_retyped(client):
    response = client.post("/s/", {"code": "ABCD-EFGH"})

    assert response.status_code == 404
    page = response.content.decode()
    assert INVALID in page
    assert 'value="ABCD-EFGH"' in page


def test_a_double_submission_just_becomes_version_two(client, setup):
    first = client.post(setup.url, valid_post(setup))
    second = client.post(setup.url, valid_post(setup))

    assert first.status_code == second.status_code == 302
    stored = Response.objects.get()
    assert stored.version == 2
    assert list(stored.versions.values_list("version", flat=True)) == [1, 2]


def test_an_item_not_on_the_menu_is_refused_at_its_question(client, setup):
    other = QuestionItemFactory()  # an item of another campaign's question
    rank = setup.q("rank")

    page = post(client, setup, valid_post(setup, **{f"q{rank}_i{other.item_id}": "3"}))

    assert "所选项目不在本次点单目录中" in error_at(page, rank)
    assert '<div class="error-summary"' in page
    assert f'<a href="#q{rank}">第1题</a>' in page
    assert not Response.objects.exists()


def test_an_item_of_another_question_in_the_budget_is_refused(client, setup):
    budget = setup.q("budget")
    foreign = setup.items["rank"][0]

    page = post(client, setup, valid_post(setup, **{f"q{budget}": str(foreign)}))

    assert "所选项目不在本次点单目录中" in error_at(page, budget)


def test_two_items_given_the_same_place_are_refused(client, setup):
    rank = setup.q("rank")

    page = post(client, setup, valid_post(setup, **rank_fields(setup, 2, 2)))

    assert "“第2位”给了2个项目" in error_at(page, rank)
    # the places chosen come back as they were
    assert page.count('<option value="2" selected>') == 2


def test_a_place_that_is_not_a_place_is_refused(client, setup):
    rank, item = setup.q("rank"), setup.items["rank"][0]

    page = post(client, setup, valid_post(setup, **{f"q{rank}_i{item}": "第一"}))

    assert "请从名次列表中选择" in error_at(page, rank)


def test_ranking_more_items_than_allowed_is_refused(client, setup):
    page = post(client, setup, valid_post(setup, **rank_fields(setup, 1, 2, 3, 4)))

    assert "最多排 3 项，您排了 4 项。" in error_at(page, setup.q("rank"))


@pytest.mark.parametrize("rating", ["0", "6", "-1", "五", "4.5"])
def test_a_rating_out_of_range_is_refused(client, setup, rating):
    question = setup.q("rating")

    page = post(client, setup, valid_post(setup, **{f"q{question}": rating}))

    assert "评分应为 1 到 5 分。" in error_at(page, question)


def test_an_overspent_points_budget_is_refused_and_the_points_come_back(client, setup):
    question = setup.q("points")
    first, second, _third = setup.items["points"]

    page = post(
        client,
        setup,
        valid_post(
            setup, **{f"q{question}_i{first}": "6", f"q{question}_i{second}": "5"}
        ),
    )

    assert "积分合计不能超过 10 分，您分配了 11 分。" in error_at(page, question)
    assert f'name="q{question}_i{first}" value="6"' in page
    assert f'name="q{question}_i{second}" value="5"' in page


def test_negative_points_are_refused(client, setup):
    question, item = setup.q("points"), setup.items["points"][0]

    page = post(client, setup, valid_post(setup, **{f"q{question}_i{item}": "-3"}))

    assert "积分必须是不小于 0 的整数。" in error_at(page, question)


def test_an_overspent_cost_budget_is_refused(client, setup):
    question = setup.q("budget")
    data = valid_post(setup)

    page = post(
        client, setup, {**data, f"q{question}": [str(i) for i in setup.items["budget"]]}
    )

    assert "超出预算 300,000 元" in error_at(page, question)
    for item in setup.items["budget"]:
        assert f'value="{item}" data-cost' in page
        assert re.search(rf'value="{item}" data-cost="[\d.]+" checked', page)


def test_more_choices_than_allowed_are_refused(client, setup):
    question = setup.q("multiple")

    page = post(
        client,
        setup,
        {
            **valid_post(setup),
            f"q{question}": [str(o) for o in setup.options["multiple"]],
        },
    )

    assert "最多选 2 项，您选了 3 项。" in error_at(page, question)


def test_text_over_its_limit_is_refused_and_kept_for_editing(client, setup):
    question = setup.q("text")
    text = "楼道灯坏了，晚上看不见路，老人容易摔倒，请尽快修理"  # 25 characters

    page = post(client, setup, valid_post(setup, **{f"q{question}": text}))

    assert "最多 20 字，现在是 25 字，请删减一些。" in error_at(page, question)
    assert f">{text}</textarea>" in page


def test_a_required_question_left_blank_is_named(client, setup):
    data = valid_post(setup)
    del data[f"q{setup.q('wants')}"]

    page = post(client, setup, data)

    assert "这道题必须回答。" in error_at(page, setup.q("wants"))
    assert 'value="4" checked' in page  # the rating typed so far is kept


def test_a_tampered_question_id_is_refused_as_a_whole(client, setup):
    page = post(client, setup, valid_post(setup, q999999999="1"))

    assert "提交的内容与本次征询的题目不符，请刷新页面后重新填写。" in page
    assert not Response.objects.exists()


def test_an_option_of_another_question_is_refused(client, setup):
    question = setup.q("wants")
    foreign = setup.options["multiple"][0]

    page = post(client, setup, valid_post(setup, **{f"q{question}": str(foreign)}))

    assert "所选选项不在本题中" in error_at(page, question)


def test_a_photo_that_is_not_an_image_is_refused_at_its_question(client, setup):
    question = setup.q("photo")
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", "image/jpeg")

    response = client.post(setup.url, {**valid_post(setup), f"q{question}": fake})

    assert response.status_code == 200
    page = response.content.decode()
    assert error_at(page, question)
    assert "照片" in error_at(page, question)
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_after_an_error_a_chosen_photo_must_be_chosen_again_and_it_says_so(
    client, setup
):
    question = setup.q("photo")
    photo = SimpleUploadedFile("p.jpg", encode(picture(), "JPEG"), "image/jpeg")
    data = valid_post(setup, **{f"q{setup.q('rating')}": "9"})

    page = post(client, setup, {**data, f"q{question}": photo})

    assert "请改好后重新选择这张照片" in error_at(page, question)


def test_a_stored_photo_is_kept_unless_replaced_or_unticked(client, setup):
    question = setup.q("photo")
    photo = SimpleUploadedFile("p.jpg", encode(picture(), "JPEG"), "image/jpeg")
    client.post(setup.url, {**valid_post(setup), f"q{question}": photo})
    stored = Answer.objects.get(question_id=question).photo.name

    form = client.get(setup.url).content.decode()
    keep = f'name="q{question}_keep" value="1" checked'
    assert keep in form
    client.post(setup.url, {**valid_post(setup), f"q{question}_keep": "1"})
    assert Answer.objects.get(question_id=question).photo.name == stored
    client.post(setup.url, valid_post(setup))
    assert not Answer.objects.filter(question_id=question).exists()
    assert Response.objects.get().version == 3


def test_a_campaign_id_that_is_not_a_number_is_not_found(client, setup):
    assert client.get(f"/s/{setup.code}/c/abc/").status_code == 404


@pytest.mark.parametrize("campaign_id", [2**63, 10**25])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_campaign_id_beyond_the_database_range_is_not_found(
    client, setup, campaign_id, method
):
    # The address takes any digits; PostgreSQL's bigint stops at 2**63 - 1.
    response = getattr(client, method)(f"/s/{setup.code}/c/{campaign_id}/")

    assert response.status_code == 404
    assert "没有找到这次征询" in response.content.decode()


def test_a_nul_byte_in_an_answer_is_refused_without_a_500(client, setup):
    data = valid_post(setup, **{f"q{setup.q('text')}": "a\x00b"})

    response = client.post(setup.url, data)

    assert response.status_code == 400


@pytest.mark.parametrize("saved", ["c<script>", "c²", "v²"])
def test_a_get_with_odd_query_parameters_is_harmless(client, setup, saved):
    response = client.get(setup.household_url, {"saved": saved})

    assert response.status_code == 200
    assert "已提交" not in response.content.decode()


@pytest.mark.parametrize("value", ["²", "-²", "1²"])
def test_a_choice_or_rating_that_only_looks_like_digits_is_refused(
    client, setup, value
):
    # "²" passes str.isdigit() but is no number int() reads.
    wants, rating = setup.q("wants"), setup.q("rating")

    page = post(client, setup, valid_post(setup, **{f"q{wants}": value}))
    rated = post(client, setup, valid_post(setup, **{f"q{rating}": value}))

    assert error_at(page, wants)
    assert error_at(rated, rating)
    assert not Response.objects.exists()


def test_a_code_issued_by_the_system_for_a_new_household_opens_its_page(client, setup):
    code = access_code_issue(household=setup.household, actor=SYSTEM).code

    assert client.get(f"/s/{code}/").status_code == 200
