"""Scoping that cannot be forgotten: the API and admin bases refuse, when a class
is defined, a subclass that would bypass the role scope; and the hook through
which a later app lets outside parties see more."""

import pytest
from django.contrib import admin
from django.db.models import Q
from rest_framework import permissions
from rest_framework.decorators import action

from baitang.admin import ScopedModelAdmin
from baitang.api import CanEditObject, ScopedModelViewSet, ScopedReadOnlyViewSet
from baitang.roles import register_party_scope, unregister_party_scope
from communities.models import Estate
from communities.permissions import (
    buildings_visible_to,
    estates_visible_to,
    problems_visible_to,
)
from communities.tests.factories import BuildingFactory, EstateFactory

# --- API ----------------------------------------------------------------------------


def test_api_subclass_customising_optimize_is_accepted():
    class Fine(ScopedReadOnlyViewSet):
        visible_to = estates_visible_to

        def optimize(self, queryset):
            return queryset.select_related("community")

    assert Fine.permission_classes == [CanEditObject]


@pytest.mark.parametrize("method", ["get_queryset", "get_object", "get_permissions"])
def test_api_subclass_overriding_a_scoped_method_is_refused(method):
    with pytest.raises(TypeError, match=method):
        type(
            "Bypass",
            (ScopedModelViewSet,),
            {"visible_to": estates_visible_to, method: lambda self: None},
        )


def test_api_mixin_overriding_get_queryset_is_refused_too():
    class Unscoped:
        def get_queryset(self):
            return Estate.objects.all()

    with pytest.raises(TypeError, match="get_queryset"):

        class Bypass(Unscoped, ScopedReadOnlyViewSet):
            visible_to = estates_visible_to


def test_api_permission_classes_must_keep_the_scoped_one():
    class Narrower(ScopedReadOnlyViewSet):
        permission_classes = [CanEditObject, permissions.IsAdminUser]

    with pytest.raises(TypeError, match="permission_classes"):

        class Open(ScopedReadOnlyViewSet):
            permission_classes = [permissions.AllowAny]

    assert Narrower.permission_classes[0] is CanEditObject


def test_api_action_permission_classes_must_keep_the_scoped_one():
    with pytest.raises(TypeError, match="publish"):

        class Open(ScopedModelViewSet):
            @action(detail=True, methods=["post"], permission_classes=[])
            def publish(self, request, pk=None):
                return None


# --- Admin --------------------------------------------------------------------------


def test_admin_subclass_customising_optimize_is_accepted():
    class Fine(ScopedModelAdmin):
        visible_to = estates_visible_to

        def optimize(self, request, queryset):
            return queryset.select_related("community")

    assert Fine(Estate, admin.site).optimize is not None


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
def test_admin_subclass_overriding_a_scoped_method_is_refused(method):
    with pytest.raises(TypeError, match=method):
        type(
            "Bypass",
            (ScopedModelAdmin,),
            {"visible_to": estates_visible_to, method: lambda self, *args: None},
        )


def test_every_registered_register_admin_is_scoped():
    unscoped = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "communities"
        and not isinstance(model_admin, ScopedModelAdmin)
    ]

    assert unscoped == []


# --- The outside parties' hook --------------------------------------------------------


@pytest.fixture
def party_scopes():
    """Scopes registered by a test are removed after it."""
    registered = []

    def register(label, scope, key):
        register_party_scope(label, scope, key=key)
        registered.append((label, key))

    yield register
    for label, key in registered:
        unregister_party_scope(label, key=key)


@pytest.mark.django_db
def test_a_later_app_widens_what_an_outside_party_sees(party_user, party_scopes):
    # given: the projects app says the party works on one estate
    granted, other = EstateFactory.create_batch(2)
    building = BuildingFactory(estate=granted)
    BuildingFactory(estate=other)
    party_scopes(
        "communities.Estate",
        lambda user: Q(pk=granted.pk),
        key="test.party_to_project",
    )
    party_scopes(
        "communities.Building",
        lambda user: buildings_visible_to_party_of(granted),
        key="test.party_to_project",
    )

    # then: the party sees exactly that, and nothing of other models
    assert list(estates_visible_to(party_user)) == [granted]
    assert list(buildings_visible_to(party_user)) == [building]
    assert not problems_visible_to(party_user).exists()


def buildings_visible_to_party_of(estate):
    from communities.models import Building

    return Building.objects.filter(estate=estate)


@pytest.mark.django_db
def test_without_a_registered_scope_an_outside_party_sees_nothing(party_user):
    EstateFactory()

    assert not estates_visible_to(party_user).exists()


@pytest.mark.django_db
def test_the_hook_never_widens_staff_scopes(
    community_user, other_community, party_scopes
):
    foreign = EstateFactory(community=other_community)
    party_scopes(
        "communities.Estate", lambda user: Q(pk=foreign.pk), key="test.everyone"
    )

    assert foreign not in estates_visible_to(community_user)


@pytest.mark.django_db
def test_registering_the_same_key_again_replaces_the_grant(party_user, party_scopes):
    first, second = EstateFactory.create_batch(2)
    party_scopes("communities.Estate", lambda user: Q(pk=first.pk), key="test.a")
    party_scopes("communities.Estate", lambda user: Q(pk=second.pk), key="test.a")

    assert list(estates_visible_to(party_user)) == [second]
