"""Every write of the register names its actor, and the service checks it."""

import inspect

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from baitang.roles import SYSTEM
from communities import photos, services
from communities.models import Community, Owner, ProblemCategory
from communities.tests.factories import EstateFactory


def _write_services():
    """The public write services: the @transaction.atomic functions of the two
    service modules, plus the defaults a migration calls."""
    found = [services.problem_categories_ensure_defaults]
    for module in (services, photos):
        for name, function in vars(module).items():
            if (
                inspect.isfunction(function)
                and function.__module__ == module.__name__
                and not name.startswith("_")
                and hasattr(function, "__wrapped__")
            ):
                found.append(function)
    return sorted(found, key=lambda function: function.__qualname__)


WRITE_SERVICES = _write_services()


def test_the_write_services_are_found():
    names = {function.__name__ for function in WRITE_SERVICES}

    assert {
        "estate_create",
        "estate_delete",
        "owner_create",
        "problem_set_status",
        "photo_create",
        "photo_update",
        "photo_delete",
        "community_update",
        "problem_category_update",
    } <= names


@pytest.mark.parametrize("service", WRITE_SERVICES, ids=lambda f: f.__name__)
def test_actor_is_a_required_keyword(service):
    actor = inspect.signature(service).parameters.get("actor")

    assert actor is not None, f"{service.__name__} takes no actor"
    assert actor.kind is inspect.Parameter.KEYWORD_ONLY
    assert actor.default is inspect.Parameter.empty, (
        f"{service.__name__} gives actor a default"
    )


@pytest.mark.django_db
def test_a_missing_actor_is_refused_before_anything_is_written():
    estate = EstateFactory()

    with pytest.raises(TypeError):
        services.building_create(estate=estate, name="1栋", actor=None)
    with pytest.raises(TypeError):
        services.community_create(name="新社区", actor=None)

    assert not estate.buildings.exists()
    assert not Community.objects.filter(name="新社区").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["party", "anonymous"])
def test_owner_create_checks_the_actor(role, role_users, community):
    actor = role_users[role] or AnonymousUser()

    with pytest.raises(PermissionDenied):
        services.owner_create(name="陈伯", community=community, actor=actor)

    assert not Owner.objects.filter(name="陈伯").exists()


@pytest.mark.django_db
def test_community_staff_cannot_change_street_wide_lists(community_user, community):
    with pytest.raises(PermissionDenied):
        services.community_update(community=community, actor=community_user, notes="改")
    with pytest.raises(PermissionDenied):
        services.problem_category_create(name="噪音", actor=community_user)
    with pytest.raises(PermissionDenied):
        services.problem_categories_ensure_defaults(actor=community_user)

    community.refresh_from_db()
    assert community.notes == ""
    assert not ProblemCategory.objects.filter(name="噪音").exists()


@pytest.mark.django_db
def test_the_system_actor_writes_with_the_street_offices_rights(community):
    community_row = services.community_create(name="家和社区", actor=SYSTEM)
    estate = services.estate_create(
        community=community_row, name="家和小区", build_year=1995, actor=SYSTEM
    )

    assert estate.community == community_row
