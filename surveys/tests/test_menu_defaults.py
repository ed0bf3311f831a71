"""The order menu every installation starts with."""

import pytest

from surveys.menu_defaults import DEFAULT_MENU, menu_ensure_defaults
from surveys.models import MenuItem

pytestmark = pytest.mark.django_db


def test_the_default_menu_has_at_least_thirty_valid_items():
    MenuItem.objects.all().delete()

    created = menu_ensure_defaults(MenuItem)

    items = list(MenuItem.objects.all())
    assert created == len(DEFAULT_MENU) >= 30
    for item in items:
        item.full_clean()
    assert {item.kind for item in items} == {"basic", "custom"}
    assert {item.national_class for item in items} == {"basic", "improve", "upgrade"}


def test_the_elevator_is_a_matter_seven_vote_piloted_per_unit():
    menu_ensure_defaults(MenuItem)

    lift = MenuItem.objects.get(name="加装电梯")

    assert (lift.kind, lift.needs_vote, lift.vote_matter) == ("custom", True, 7)
    assert (lift.scope, lift.pilot_first) == ("unit", True)


def test_staff_changes_survive_a_second_run():
    menu_ensure_defaults(MenuItem)
    MenuItem.objects.filter(name="道路修复").update(description="按本街道报价")

    created = menu_ensure_defaults(MenuItem)

    assert created == 0
    assert MenuItem.objects.get(name="道路修复").description == "按本街道报价"
