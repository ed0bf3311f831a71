"""`seed_demo` builds a believable, clearly labelled demo register, the same
every time, and a second run changes nothing."""

import time
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.test import override_settings

from baitang.models import User
from communities.demo import (
    COMMUNITY_NAMES,
    DEMO_PASSWORD,
    INVENTED_NOTE,
    NAMED_NOTE,
    seed_demo,
)
from communities.models import (
    Building,
    Community,
    Estate,
    EstateNeed,
    GovernanceBody,
    GovernanceMember,
    Household,
    Owner,
    Photo,
    Problem,
    ProblemCategory,
    ProblemStatusChange,
)

NAMED = ["藤翠苑7号小区", "逸鸿花园", "幸福园小区", "湖景花园", "海湾豪宅", "福星苑"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module, inside a transaction rolled back at the end."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("seed-media")
    with (
        override_settings(PASSWORD_HASHERS=fast, MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        started = time.monotonic()
        summary = seed_demo()
        summary.seconds = time.monotonic() - started
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def fast_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def snapshot():
    """Everything the seed writes, as comparable values."""
    return {
        "communities": list(Community.objects.values_list("name", flat=True)),
        "estates": list(
            Estate.objects.order_by("pk").values_list(
                "pk",
                "name",
                "community__name",
                "build_year",
                "floor_area",
                "household_count",
                "resident_count",
                "elderly_60_count",
                "updated_at",
            )
        ),
        "buildings": Building.objects.count(),
        "households": list(
            Household.objects.order_by("pk").values_list(
                "pk", "number", "exclusive_area", "occupancy", "contact_phone"
            )
        ),
        "owners": Owner.objects.count(),
        "ownerships": Household.owners.through.objects.count(),
        "problems": list(
            Problem.objects.order_by("pk").values_list("pk", "status", "resolved_on")
        ),
        "status_changes": ProblemStatusChange.objects.count(),
        "photos": list(Photo.objects.order_by("pk").values_list("pk", "image")),
        "bodies": GovernanceBody.objects.count(),
        "members": GovernanceMember.objects.count(),
        "needs": EstateNeed.objects.count(),
        "categories": ProblemCategory.objects.count(),
        "users": list(
            User.objects.order_by("username").values_list("username", "role")
        ),
    }


@pytest.mark.django_db
def test_second_run_changes_nothing(seeded, fast_hashing):
    before = snapshot()

    summary = seed_demo()

    assert snapshot() == before
    assert summary.estates_created == 0
    assert summary.estates == 22


@pytest.mark.django_db
def test_seed_is_fast(seeded):
    assert seeded.estates_created == 22
    assert seeded.seconds < 45


@pytest.mark.django_db
def test_eight_communities_and_22_old_estates(seeded):
    assert sorted(Community.objects.values_list("name", flat=True)) == sorted(
        f"{name}社区" for name in COMMUNITY_NAMES
    )
    estates = Estate.objects.all()
    assert estates.count() == 22
    assert estates.filter(build_year__lt=2005).count() == 22
    assert estates.filter(is_sample=True).count() == 22
    assert Estate.objects.get(name="藤翠苑7号小区").community.name == "鹤洲社区"
    assert set(
        Estate.objects.filter(notes=NAMED_NOTE).values_list("name", flat=True)
    ) == set(NAMED)
    assert Estate.objects.filter(notes=INVENTED_NOTE).count() == 16
    assert Community.objects.annotate(n=Count("estates")).filter(n=0).exists() is False


@pytest.mark.django_db
def test_register_counts_agree_with_the_rows(seeded):
    estates = Estate.objects.annotate(
        buildings_made=Count("buildings", distinct=True),
        households_made=Count("buildings__households", distinct=True),
    )
    residents = dict(
        Estate.objects.annotate(
            n=Sum("buildings__households__resident_count")
        ).values_list("pk", "n")
    )

    for estate in estates:
        assert estate.building_count == estate.buildings_made, estate.name
        assert estate.household_count == estate.households_made, estate.name
        assert estate.resident_count == residents[estate.pk], estate.name
        assert (
            estate.elderly_80_count <= estate.elderly_60_count <= estate.resident_count
        )


@pytest.mark.django_db
def test_buildings_and_several_thousand_households(seeded):
    assert Household.objects.count() >= 2000
    assert Building.objects.filter(Q(storeys__lt=5) | Q(storeys__gt=8)).count() == 0
    assert (
        Building.objects.filter(Q(unit_count__lt=1) | Q(unit_count__gt=3)).count() == 0
    )
    areas = Household.objects.values_list("exclusive_area", flat=True)
    assert all(Decimal("45") <= area <= Decimal("130") for area in areas)
    assert {area.as_tuple().exponent for area in areas} == {-2}
    assert set(Household.objects.values_list("occupancy", flat=True)) == set(
        Household.Occupancy.values
    )
    assert Household.objects.filter(elderly_living_alone=True).exists()


@pytest.mark.django_db
def test_owners_hold_several_units_and_developers_hold_the_unsold(seeded):
    owners = Owner.objects.annotate(n=Count("households"))
    assert owners.filter(is_developer=False, n__gt=1).exists()
    unsold = Household.objects.filter(occupancy=Household.Occupancy.UNSOLD)
    assert unsold.exists()
    assert not unsold.exclude(owners__is_developer=True).exists()
    assert Owner.objects.filter(is_developer=True).count() == 22
    assert not Household.objects.filter(
        occupancy=Household.Occupancy.OWNER_OCCUPIED, owners__isnull=True
    ).exists()


@pytest.mark.django_db
def test_problems_in_every_category_and_status(seeded):
    used = set(Problem.objects.values_list("category__name", flat=True))
    assert used == set(ProblemCategory.objects.values_list("name", flat=True))
    assert len(used) == 12
    assert set(Problem.objects.values_list("status", flat=True)) == set(
        Problem.Status.values
    )
    # Every non-open problem got there through the logged service.
    for problem in Problem.objects.exclude(status="open").prefetch_related(
        "status_changes"
    ):
        assert (
            problem.status_changes.all()[
                len(problem.status_changes.all()) - 1
            ].to_status
            == problem.status
        )
    assert not Problem.objects.filter(
        status="resolved", resolved_on__isnull=True
    ).exists()
    assert not Problem.objects.filter(
        status="recurred", recurred_on__isnull=True
    ).exists()
    xingfu = Problem.objects.filter(estate__name="幸福园小区", status="resolved")
    assert xingfu.count() == 27
    assert xingfu.values("category").distinct().count() == 8


@pytest.mark.django_db
def test_photos_for_every_estate_with_before_after_pairs(seeded):
    assert not Estate.objects.filter(photos__isnull=True).exists()
    for name in NAMED:
        stages = set(
            Photo.objects.filter(estate__name=name, pair_key="主干道").values_list(
                "stage", flat=True
            )
        )
        assert stages == {"before", "after"}
    photo = Photo.objects.first()
    assert photo.thumbnail_small and photo.thumbnail_large and photo.width == 960


@pytest.mark.django_db
def test_governance_bodies_of_the_article(seeded):
    kinds = {
        name: set(
            GovernanceBody.objects.filter(estate__name=name).values_list(
                "kind", flat=True
            )
        )
        for name in ["幸福园小区", "湖景花园", "海湾豪宅", "福星苑", "逸鸿花园"]
    }
    assert kinds["幸福园小区"] == {"self_group"}
    for name in ["湖景花园", "海湾豪宅", "福星苑"]:
        assert kinds[name] == {"committee", "representatives", "liaisons"}
    assert kinds["逸鸿花园"] == {"party"}
    assert not GovernanceBody.objects.annotate(n=Count("members")).filter(n=0).exists()
    liaisons = GovernanceMember.objects.filter(body__kind="liaisons")
    assert not liaisons.filter(building__isnull=True).exists()
    assert (
        GovernanceMember.objects.filter(
            body__estate__name="逸鸿花园", is_party_member=False
        ).count()
        == 0
    )


@pytest.mark.django_db
def test_one_demo_login_per_role(seeded, client):
    users = {
        user.username: user
        for user in User.objects.filter(username__startswith="demo_")
    }

    assert {u: users[u].role for u in users} == {
        "demo_street": "street",
        "demo_community": "community",
        "demo_party": "party",
    }
    assert [c.name for c in users["demo_community"].communities.all()] == ["鹤洲社区"]
    assert users["demo_street"].check_password(DEMO_PASSWORD)
    assert [login for login, _ in seeded.logins] == [
        "demo_street",
        "demo_community",
        "demo_party",
    ]


@pytest.mark.django_db
def test_command_prints_the_logins(seeded, fast_hashing, settings, capsys):
    settings.DEBUG = True

    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "22 个小区（本次新建 0 个）" in out
    assert "demo_street" in out and "demo_community" in out and "demo_party" in out
    assert DEMO_PASSWORD in out


@pytest.mark.django_db
def test_command_refuses_to_run_in_production_without_force(seeded, settings):
    settings.DEBUG = False
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        call_command("seed_demo")

    assert "--force" in str(refused.value)
    assert snapshot() == before
