"""surveys/forms.py: posted fields to clean_answers' raw answers and stored
answers back to fields, for every question kind, with no rule of its own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from surveys.answers import KEEP
from surveys.forms import answers_from_post, fields_from_answers
from surveys.structure import campaign_structure
from surveys.tests.resident_data import full_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(community):
    return full_campaign(community)


def as_post(fields: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        data.setlist(name, values)
    return data


def test_stored_answers_survive_the_round_trip_through_the_form(setup):
    structure = campaign_structure(setup.campaign)
    values = {
        setup.q("rank"): [setup.items["rank"][2], setup.items["rank"][0]],
        setup.q("wants"): setup.options["wants"][0],
        setup.q("why"): "腿脚不便",
        setup.q("rating"): 3,
        setup.q("points"): {setup.items["points"][0]: 7, setup.items["points"][2]: 3},
        setup.q("budget"): [setup.items["budget"][0], setup.items["budget"][1]],
        setup.q("multiple"): [setup.options["multiple"][1]],
        setup.q("text"): "修路",
        setup.q("photo"): "answers/2026/11/x.jpg",
    }

    parsed = answers_from_post(
        structure, as_post(fields_from_answers(structure, values)), MultiValueDict()
    )

    assert parsed.errors == {}
    expected = {
        **values,
        setup.q("wants"): str(values[setup.q("wants")]),
        setup.q("rating"): "3",
        setup.q("points"): {i: str(p) for i, p in values[setup.q("points")].items()},
        setup.q("budget"): [str(i) for i in values[setup.q("budget")]],
        setup.q("multiple"): [str(i) for i in values[setup.q("multiple")]],
        setup.q("photo"): KEEP,
    }
    assert parsed.answers == expected


def test_places_with_gaps_keep_their_order(setup):
    structure = campaign_structure(setup.campaign)
    rank = setup.q("rank")
    first, second, third, _fourth = setup.items["rank"]
    data = as_post(
        {
            f"q{rank}_i{first}": ["7"],
            f"q{rank}_i{second}": [""],
            f"q{rank}_i{third}": ["2"],
        }
    )

    parsed = answers_from_post(structure, data, MultiValueDict())

    assert parsed.answers[rank] == [third, first]


def test_an_empty_form_gives_empty_answers(setup):
    structure = campaign_structure(setup.campaign)

    parsed = answers_from_post(structure, QueryDict(), MultiValueDict())

    assert parsed.errors == {}
    assert parsed.answers[setup.q("rank")] == []
    assert parsed.answers[setup.q("wants")] is None
    assert parsed.answers[setup.q("photo")] is None


def test_a_field_of_an_unknown_question_is_passed_on_for_refusal(setup):
    structure = campaign_structure(setup.campaign)

    parsed = answers_from_post(structure, as_post({"q4242": ["1"]}), MultiValueDict())

    assert parsed.answers["4242"] == "1"


def test_a_new_photo_wins_over_keeping_the_old_one(setup):
    structure = campaign_structure(setup.campaign)
    photo = setup.q("photo")
    upload = SimpleUploadedFile("p.jpg", b"...", "image/jpeg")

    parsed = answers_from_post(
        structure,
        as_post({f"q{photo}_keep": ["1"]}),
        MultiValueDict({f"q{photo}": [upload]}),
    )

    assert parsed.answers[photo] is upload
