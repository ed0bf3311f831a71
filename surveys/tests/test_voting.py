"""Civil Code Art. 278 counted by surveys.voting.tally, at the exact boundaries."""

import datetime
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest

from surveys.voting import (
    CIVIL_CODE_2021,
    PROPERTY_LAW_2007,
    rules_in_force,
    tally,
)

D = Decimal


def equal_units(count: int, area: str = "100"):
    """`count` units of one owner each, all the same size."""
    return [(f"u{i}", f"o{i}", D(area)) for i in range(count)]


def ballots(yes=(), no=(), abstain=()):
    votes = {holder: "yes" for holder in yes}
    votes |= {holder: "no" for holder in no}
    votes |= {holder: "abstain" for holder in abstain}
    return votes


def owners(*numbers):
    return [f"o{n}" for n in numbers]


# --- Quorum: 2/3 of the area AND of the headcount, boundary included -------------


def test_quorum_is_met_at_exactly_two_thirds_of_area_and_heads():
    # 9 equal units: 6 taking part is exactly 2/3.
    result = tally(1, equal_units(9), ballots(yes=owners(0, 1, 2, 3, 4, 5)))

    assert result.part_area == Fraction(600)
    assert result.part_heads == 6
    assert result.quorum_area is True
    assert result.quorum_heads is True
    assert result.passed is True


def test_quorum_fails_one_owner_below_two_thirds():
    result = tally(1, equal_units(9), ballots(yes=owners(0, 1, 2, 3, 4)))

    assert result.quorum_area is False
    assert result.quorum_heads is False
    assert result.passed is False
    assert "参与表决业主人数未达到业主总人数的三分之二以上" in (
        result.failed_conditions()
    )


def test_quorum_by_area_but_not_by_headcount():
    # Two large units make 2/3 of the area but are only 2 of 6 owners.
    units = [
        ("big1", "a", D("400")),
        ("big2", "b", D("400")),
        ("s1", "c", D("100")),
        ("s2", "d", D("100")),
        ("s3", "e", D("100")),
        ("s4", "f", D("100")),
    ]

    result = tally(4, units, ballots(yes=["a", "b"]))

    assert result.quorum_area is True  # 800 / 1200 = 2/3 exactly
    assert result.quorum_heads is False  # 2 / 6
    assert result.approve_area is True
    assert result.approve_heads is True
    assert result.passed is False
    assert result.failed_conditions() == [
        "参与表决业主人数未达到业主总人数的三分之二以上"
    ]


def test_quorum_by_headcount_but_not_by_area():
    units = [("big", "a", D("500"))] + [(f"s{i}", f"o{i}", D("50")) for i in range(5)]

    result = tally(4, units, ballots(yes=owners(0, 1, 2, 3, 4)))

    assert result.quorum_heads is True  # 5 / 6
    assert result.quorum_area is False  # 250 / 750
    assert result.passed is False


def test_abstentions_take_part_in_the_quorum():
    result = tally(1, equal_units(3), ballots(yes=owners(0), abstain=owners(1)))

    assert result.part_heads == 2
    assert result.quorum_heads is True
    # 1 yes of 2 participants is exactly half: not more than half.
    assert result.approve_heads is False


# --- Approval: matters 6-8 need 3/4 "以上", the others more than half ----------


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_special_matter_passes_at_exactly_three_quarters(matter):
    # 8 take part of 8; 6 yes = 3/4 of participating area and heads.
    result = tally(
        matter, equal_units(8), ballots(yes=owners(*range(6)), no=owners(6, 7))
    )

    assert result.yes_area_share == Fraction(3, 4)
    assert result.yes_heads_share == Fraction(3, 4)
    assert result.approve_area is True
    assert result.approve_heads is True
    assert result.passed is True


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_special_matter_fails_just_below_three_quarters(matter):
    units = equal_units(8)
    # One yes-voter's unit is a hundredth of a square metre smaller.
    units[0] = ("u0", "o0", D("99.99"))

    result = tally(matter, units, ballots(yes=owners(*range(6)), no=owners(6, 7)))

    assert result.approve_heads is True
    assert result.approve_area is False
    assert result.passed is False
    assert result.failed_conditions() == [
        "同意的专有部分面积未达到参与表决业主专有部分面积的四分之三以上"
    ]


@pytest.mark.parametrize("matter", [1, 2, 3, 4, 5, 9])
def test_ordinary_matter_fails_at_exactly_half(matter):
    result = tally(
        matter, equal_units(8), ballots(yes=owners(0, 1, 2, 3), no=owners(4, 5, 6, 7))
    )

    assert result.yes_area_share == Fraction(1, 2)
    assert result.approve_area is False
    assert result.approve_heads is False
    assert result.passed is False
    assert "同意的业主人数未达到参与表决业主人数的过半数" in result.failed_conditions()


@pytest.mark.parametrize("matter", [1, 2, 3, 4, 5, 9])
def test_ordinary_matter_passes_just_above_half(matter):
    units = equal_units(8)
    units[0] = ("u0", "o0", D("100.01"))

    result = tally(
        matter, units, ballots(yes=owners(0, 1, 2, 3, 4), no=owners(5, 6, 7))
    )

    assert result.approve_area is True
    assert result.approve_heads is True
    assert result.passed is True


def test_ordinary_matter_half_the_heads_but_more_area_fails_on_heads():
    units = equal_units(8)
    units[0] = ("u0", "o0", D("100.01"))

    result = tally(4, units, ballots(yes=owners(0, 1, 2, 3), no=owners(4, 5, 6, 7)))

    assert result.approve_area is True
    assert result.approve_heads is False
    assert result.passed is False


# --- Counting holders: several units, co-owners, unsold units ------------------


def test_an_owner_of_several_units_counts_once_by_headcount():
    units = [
        ("1-101", "wang", D("80")),
        ("1-102", "wang", D("80")),
        ("1-201", "wang", D("80")),
        ("1-202", "li", D("80")),
        ("1-301", "zhao", D("80")),
    ]

    result = tally(7, units, ballots(yes=["wang"], no=["li"]))

    assert result.total_heads == 3
    assert result.part_heads == 2
    assert result.part_area == Fraction(320)  # the one ballot covers all 3 units
    assert result.yes_area == Fraction(240)
    assert result.yes_area_share == Fraction(3, 4)
    assert result.yes_heads_share == Fraction(1, 2)
    assert result.approve_area is True
    assert result.approve_heads is False


def test_unsold_units_count_together_as_one_owner():
    units = [
        ("101", None, D("90")),
        ("102", None, D("90")),
        ("103", None, D("90")),
        ("201", "a", D("90")),
        ("202", "b", D("90")),
    ]

    result = tally(1, units, ballots(yes=["a", "b"]))

    assert result.total_heads == 3  # a, b and the developer
    assert result.total_area == Fraction(450)
    assert result.part_heads == 2
    assert result.quorum_heads is True  # 2/3 exactly
    assert result.quorum_area is False  # 180 / 450


def test_the_developer_votes_once_for_all_unsold_units():
    units = [("101", None, D("90")), ("102", None, D("90")), ("201", "a", D("90"))]

    result = tally(1, units, {None: "yes", "a": "no"})

    assert result.part_heads == 2
    assert result.yes_area == Fraction(180)
    assert result.yes_heads == 1


def test_a_co_owned_unit_is_one_holder():
    units = [("101", "zhang+liu", D("75.5")), ("102", "chen", D("60"))]

    result = tally(1, units, ballots(yes=["zhang+liu", "chen"]))

    assert result.total_heads == 2
    assert result.passed is True


# --- Exact arithmetic ------------------------------------------------------------


def test_areas_whose_float_sum_rounds_wrongly_still_meet_two_thirds():
    # Exactly 2/3 of the area takes part, but in floats the participating sum
    # comes out below two thirds of the total (3 * 423.38 < 2 * 635.07).
    units = [
        ("a", "a", D("129.41")),
        ("b", "b", D("188.70")),
        ("c", "c", D("105.27")),
        ("d", "d", D("206.75")),
        ("e", "e", D("4.94")),
    ]
    part = 129.41 + 188.7 + 105.27
    total = part + 206.75 + 4.94
    assert not 3 * part >= 2 * total  # the float comparison gets it wrong

    result = tally(1, units, ballots(yes=["a", "b", "c"]))

    assert result.part_area / result.total_area == Fraction(2, 3)
    assert result.quorum_area is True


def test_areas_are_never_floats():
    with pytest.raises(TypeError):
        tally(1, [("a", "a", 80.5)], {})


def test_areas_may_be_given_as_text_or_integers():
    result = tally(1, [("a", "a", "80.25"), ("b", "b", 20)], {"a": "yes"})

    assert result.total_area == Fraction("100.25")


# --- Consent of owners whose exclusive part the work occupies -------------------


def test_elevator_needs_the_consent_of_every_occupied_owner():
    units = equal_units(4)
    votes = ballots(yes=owners(0, 1, 2, 3))

    refused = tally(7, units, votes, occupied_consent={"o0": True, "o1": False})
    given = tally(7, units, votes, occupied_consent={"o0": True, "o1": True})

    assert refused.approve_area and refused.approve_heads and refused.quorum_area
    assert refused.consent_ok is False
    assert refused.missing_consent == ("o1",)
    assert refused.passed is False
    assert refused.failed_conditions() == ["专有部分受影响的业主未全部书面同意"]
    assert given.passed is True


# --- Rule versions ----------------------------------------------------------------


def test_the_rule_version_is_recorded():
    result = tally(1, equal_units(3), ballots(yes=owners(0, 1, 2)))

    assert result.rule_version == "civil-code-278-2021"


def test_the_rule_in_force_follows_the_date():
    assert rules_in_force(datetime.date(2020, 12, 31)) is PROPERTY_LAW_2007
    assert rules_in_force(datetime.date(2021, 1, 1)) is CIVIL_CODE_2021
    with pytest.raises(ValueError):
        rules_in_force(datetime.date(2000, 1, 1))


def test_property_law_counts_agreement_over_all_owners():
    # 6 of 9 agree, nobody else votes: 2/3 of ALL owners and area.
    units = equal_units(9)
    votes = ballots(yes=owners(*range(6)))

    old = tally(7, units, votes, rules=PROPERTY_LAW_2007)
    short = tally(7, units, ballots(yes=owners(*range(5))), rules=PROPERTY_LAW_2007)

    assert old.rule_version == "property-law-76-2007"
    assert old.passed is True
    assert old.yes_area_share == Fraction(2, 3)
    assert short.passed is False
    assert short.failed_conditions() == [
        "同意的专有部分面积未达到全体业主专有部分面积的三分之二以上",
        "同意的业主人数未达到全体业主人数的三分之二以上",
    ]


def test_rules_can_be_chosen_by_date():
    result = tally(
        7, equal_units(3), ballots(yes=owners(0, 1)), on=datetime.date(2019, 5, 1)
    )

    assert result.rules is PROPERTY_LAW_2007


# --- Bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("matter", [0, 10, -1])
def test_unknown_matters_are_refused(matter):
    with pytest.raises(ValueError):
        tally(matter, equal_units(2), {})


def test_a_ballot_from_someone_without_a_unit_is_refused():
    with pytest.raises(ValueError):
        tally(1, equal_units(2), {"stranger": "yes"})


def test_an_unknown_choice_is_refused():
    with pytest.raises(ValueError):
        tally(1, equal_units(2), {"o0": "maybe"})


def test_a_unit_listed_twice_is_refused():
    with pytest.raises(ValueError):
        tally(1, [("u", "a", D("1")), ("u", "b", D("1"))], {})


@pytest.mark.parametrize("area", [D("0"), D("-3")])
def test_a_unit_without_positive_area_is_refused(area):
    with pytest.raises(ValueError):
        tally(1, [("u", "a", area)], {})


def test_an_empty_vote_passes_nothing():
    result = tally(1, [], {})

    assert result.passed is False
    assert result.quorum_area is False


# --- Exhaustive check against integer cross-multiplication ------------------------


def _reference(matter, areas_in_cents, choices):
    """Art. 278 again, in integers only: a / b >= p / q  <=>  a * q >= p * b."""
    total_area = sum(areas_in_cents)
    total_heads = len(areas_in_cents)
    part = [i for i, c in enumerate(choices) if c is not None]
    yes = [i for i, c in enumerate(choices) if c == "yes"]
    part_area = sum(areas_in_cents[i] for i in part)
    yes_area = sum(areas_in_cents[i] for i in yes)
    quorum = 3 * part_area >= 2 * total_area and 3 * len(part) >= 2 * total_heads
    if matter in (6, 7, 8):
        approve = 4 * yes_area >= 3 * part_area and 4 * len(yes) >= 3 * len(part)
    else:
        approve = 2 * yes_area > part_area and 2 * len(yes) > len(part)
    return quorum and approve and len(part) > 0


@pytest.mark.parametrize("matter", [1, 7])
def test_every_ballot_combination_of_five_owners_matches_the_reference(matter):
    areas = [8912, 7533, 10001, 6450, 9999]  # in hundredths of a square metre
    units = [(f"u{i}", f"o{i}", D(a) / 100) for i, a in enumerate(areas)]

    for choices in itertools.product([None, "yes", "no", "abstain"], repeat=5):
        votes = {f"o{i}": c for i, c in enumerate(choices) if c is not None}

        result = tally(matter, units, votes)

        assert result.passed is _reference(matter, areas, choices), choices
