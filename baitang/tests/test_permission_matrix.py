"""Who may do what, as one table: every model registered in the admin and every
endpoint of the register API, for every role, including staff of another
community. The tables are built from the registries, so a new model or endpoint
is covered automatically, and fails here until it is given a factory and a scope.
"""

import io

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from PIL import Image
from rest_framework.authtoken.admin import TokenProxy
from rest_framework.authtoken.models import Token

from baitang.models import LoginAttempt, User
from baitang.roles import SYSTEM
from communities.api.urls import router
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
)
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    EstateNeedFactory,
    GovernanceBodyFactory,
    GovernanceMemberFactory,
    HouseholdFactory,
    OwnerFactory,
    ProblemCategoryFactory,
    ProblemFactory,
    UserFactory,
)

ROLES = ["street", "community", "other_community", "party", "anonymous"]

# Scopes. Each decides what every role may do with a row made in `community`.
COMMUNITY_ROWS = "rows of an estate: staff of its community and the street office"
COMMUNITIES = "communities: viewed by their staff, edited by the street office"
SHARED_LIST = "a list every office worker reads and the street office edits"
STREET_ONLY = "logins and periodic tasks: the street office only"
SUPERUSER_ONLY = "third-party tables: Django permissions, i.e. superusers only"
STREET_VIEW_ONLY = "failed logins: the street office reads and unlocks, none edits"


def _photo(community):
    from communities.photos import photo_create

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "olive").save(buffer, "JPEG")
    return photo_create(
        estate=EstateFactory(community=community),
        image_file=SimpleUploadedFile("p.jpg", buffer.getvalue()),
        actor=SYSTEM,
    )


def _owner(community):
    owner = OwnerFactory()
    HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community)),
        owners=[owner],
    )
    return owner


def _estate(community):
    return EstateFactory(community=community)


# model -> (make a row belonging to `community`, scope)
FACTORIES = {
    User: (lambda community: UserFactory(username="someone-else"), STREET_ONLY),
    Community: (lambda community: community, COMMUNITIES),
    Estate: (_estate, COMMUNITY_ROWS),
    Building: (
        lambda community: BuildingFactory(estate=_estate(community)),
        COMMUNITY_ROWS,
    ),
    Household: (
        lambda community: HouseholdFactory(
            building=BuildingFactory(estate=_estate(community))
        ),
        COMMUNITY_ROWS,
    ),
    Owner: (_owner, COMMUNITY_ROWS),
    ProblemCategory: (
        lambda community: ProblemCategoryFactory(name="照明"),
        SHARED_LIST,
    ),
    Problem: (
        lambda community: ProblemFactory(estate=_estate(community)),
        COMMUNITY_ROWS,
    ),
    Photo: (_photo, COMMUNITY_ROWS),
    EstateNeed: (
        lambda community: EstateNeedFactory(estate=_estate(community)),
        COMMUNITY_ROWS,
    ),
    GovernanceBody: (
        lambda community: GovernanceBodyFactory(estate=_estate(community)),
        COMMUNITY_ROWS,
    ),
    GovernanceMember: (
        lambda community: GovernanceMemberFactory(
            body=GovernanceBodyFactory(estate=_estate(community))
        ),
        COMMUNITY_ROWS,
    ),
    TokenProxy: (
        lambda community: TokenProxy.objects.get(
            pk=Token.objects.create(user=UserFactory(username="api-user")).pk
        ),
        SUPERUSER_ONLY,
    ),
    LoginAttempt: (
        lambda community: LoginAttempt.objects.create(
            username="clerk",
            ip_address="10.0.0.1",
            user_agent="Firefox",
            failures_since_start=5,
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/admin/login/",
        ),
        STREET_VIEW_ONLY,
    ),
    PeriodicTask: (
        lambda community: PeriodicTask.objects.create(
            name="matrix-task",
            task="baitang.tasks.heartbeat_task",
            interval=IntervalSchedule.objects.create(every=5, period="minutes"),
        ),
        STREET_ONLY,
    ),
    ClockedSchedule: (
        lambda community: ClockedSchedule.objects.create(
            clocked_time="2026-01-01T00:00:00+08:00"
        ),
        STREET_ONLY,
    ),
    CrontabSchedule: (
        lambda community: CrontabSchedule.objects.create(minute="7", hour="3"),
        STREET_ONLY,
    ),
    SolarSchedule: (
        lambda community: SolarSchedule.objects.create(
            event="sunrise", latitude="22.2", longitude="113.3"
        ),
        STREET_ONLY,
    ),
    IntervalSchedule: (
        lambda community: IntervalSchedule.objects.create(every=9, period="hours"),
        STREET_ONLY,
    ),
}

# What each role gets, per scope: changelist, change view, add view. "edit"
# and "view" are 200 with or without a save button; "gone" is the admin's
# redirect for an object outside the user's rows; "login" the redirect of
# anonymous users.
EXPECTED = {
    COMMUNITY_ROWS: {
        "street": ("list+", "edit", 200),
        "community": ("list+", "edit", 200),
        "other_community": ("list-", "gone", 200),
        "party": (403, 403, 403),
    },
    COMMUNITIES: {
        "street": ("list+", "edit", 200),
        "community": ("list+", "view", 403),
        "other_community": ("list-", "gone", 403),
        "party": (403, 403, 403),
    },
    SHARED_LIST: {
        "street": ("list+", "edit", 200),
        "community": ("list+", "view", 403),
        "other_community": ("list+", "view", 403),
        "party": (403, 403, 403),
    },
    STREET_ONLY: {
        "street": ("list+", "edit", 200),
        "community": (403, 403, 403),
        "other_community": (403, 403, 403),
        "party": (403, 403, 403),
    },
    STREET_VIEW_ONLY: {
        "street": ("list+", "view", 403),
        "community": (403, 403, 403),
        "other_community": (403, 403, 403),
        "party": (403, 403, 403),
    },
    SUPERUSER_ONLY: {
        "street": (403, 403, 403),
        "community": (403, 403, 403),
        "other_community": (403, 403, 403),
        "party": (403, 403, 403),
    },
}
for _scope in EXPECTED.values():
    _scope["anonymous"] = ("login", "login", "login")

ADMIN_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def _make(model, community):
    if model not in FACTORIES:
        pytest.fail(
            f"{model._meta.label} is registered in the admin but has no entry in "
            "FACTORIES of the permission matrix: add a factory and its scope."
        )
    make, scope = FACTORIES[model]
    return make(community), scope


def _login(client, role_users, role):
    user = role_users[role]
    if user is not None:
        client.force_login(user)
    return user


def test_every_admin_model_has_a_factory():
    missing = [m._meta.label for m in ADMIN_MODELS if m not in FACTORIES]

    assert missing == [], f"no permission-matrix factory for {missing}"


def _check(response, expected, obj, kind):
    if expected == "login":
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    elif expected in ("list+", "list-"):
        assert response.status_code == 200
        ids = {row.pk for row in response.context["cl"].result_list}
        assert (obj.pk in ids) is (expected == "list+"), kind
    elif expected in ("edit", "view"):
        assert response.status_code == 200
        has_save = 'name="_save"' in response.content.decode()
        assert has_save is (expected == "edit"), kind
    elif expected == "gone":
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")
    else:
        assert response.status_code == expected, kind


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_admin_matrix(client, role_users, community, other_community, model, role):
    # given
    obj, scope = _make(model, community)
    expected_list, expected_change, expected_add = EXPECTED[scope][role]
    _login(client, role_users, role)
    base = f"admin:{model._meta.app_label}_{model._meta.model_name}"

    # when
    changelist = client.get(reverse(f"{base}_changelist"))
    change = client.get(reverse(f"{base}_change", args=[quote(obj.pk)]))
    add = client.get(reverse(f"{base}_add"))

    # then
    _check(changelist, expected_list, obj, "changelist")
    _check(change, expected_change, obj, "change")
    _check(add, expected_add, obj, "add")


# --- API ------------------------------------------------------------------------------

API_ENDPOINTS = sorted(
    (prefix, viewset) for prefix, viewset, _basename in router.registry
)

# Which roles see a row made in `community`, per scope; everyone else gets an
# empty list and 404 on the row.
API_SEES = {
    COMMUNITY_ROWS: {"street", "community"},
    COMMUNITIES: {"street", "community"},
    SHARED_LIST: {"street", "community", "other_community"},
}


def _endpoint_model(viewset):
    return viewset.visible_to(AnonymousUser()).model


def test_every_api_endpoint_has_a_factory():
    missing = [
        prefix
        for prefix, viewset in API_ENDPOINTS
        if _endpoint_model(viewset) not in FACTORIES
    ]

    assert missing == [], f"no permission-matrix factory for endpoints {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("prefix", [prefix for prefix, _ in API_ENDPOINTS])
def test_api_matrix(api_client, role_users, community, other_community, prefix, role):
    # given
    viewset = dict(API_ENDPOINTS)[prefix]
    obj, scope = _make(_endpoint_model(viewset), community)
    user = role_users[role]
    if user is not None:
        api_client.force_authenticate(user)

    # when
    listed = api_client.get(f"/api/v1/{prefix}/", {"page_size": 200})
    detail = api_client.get(f"/api/v1/{prefix}/{obj.pk}/")

    # then
    if user is None:
        assert listed.status_code in (401, 403)
        assert detail.status_code in (401, 403)
        return
    assert listed.status_code == 200
    body = listed.json()
    rows = body["results"] if isinstance(body, dict) else body
    ids = {row["id"] for row in rows}
    if role in API_SEES[scope]:
        assert obj.pk in ids
        assert detail.status_code == 200
    else:
        assert obj.pk not in ids
        assert detail.status_code == 404
    if role == "party":
        assert rows == []
