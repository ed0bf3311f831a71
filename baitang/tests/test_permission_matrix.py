"""Who may do what, as one table: every model registered in the admin and every
endpoint of the API (the register's and the order menu's routers), for every
role, including staff of another community. The tables are built from the
registries, so a new model or endpoint is covered automatically, and fails here
until it is given a factory and a scope.
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
from baitang.tests.html_forms import form_values
from communities.api.urls import router as register_router
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
from surveys.api.urls import router as surveys_router
from surveys.models import (
    AccessCode,
    Ballot,
    Campaign,
    Interview,
    Meeting,
    MenuItem,
    Opinion,
    Question,
    Reply,
    Response,
    Vote,
)
from surveys.permissions import Resident
from surveys.services import response_submit
from surveys.tests.factories import (
    AccessCodeFactory,
    BallotFactory,
    CampaignFactory,
    InterviewFactory,
    MeetingFactory,
    MenuItemFactory,
    QuestionFactory,
    VoteFactory,
)

ROLES = ["street", "community", "other_community", "party", "anonymous"]

# Scopes. Each decides what every role may do with a row made in `community`.
COMMUNITY_ROWS = "rows of an estate: staff of its community and the street office"
COMMUNITIES = "communities: viewed by their staff, edited by the street office"
SHARED_LIST = "a list every office worker reads and the street office edits"
STREET_ONLY = "logins and periodic tasks: the street office only"
SUPERUSER_ONLY = "third-party tables: Django permissions, i.e. superusers only"
STREET_VIEW_ONLY = "failed logins: the street office reads and unlocks, none edits"
COMMUNITY_DRAFTS = (
    "drafts of an estate (campaigns, their questions, votes): its community's "
    "staff and the street office edit and delete them"
)
RECORDS = (
    "what residents left (responses, open opinions): read by the estate's staff, "
    "changed by nobody, deleted by the street office"
)
REPLIES = "replies to residents' words: the estate's staff answer, nobody deletes"
CODES = "household access codes: read by the estate's staff, reissued, never edited"


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


def _household(community):
    return HouseholdFactory(building=BuildingFactory(estate=_estate(community)))


def _draft_campaign(community):
    return CampaignFactory(
        estate=_estate(community),
        status=Campaign.Status.DRAFT,
        opens_at=None,
        closes_at=None,
    )


def _response(community):
    """A household's answer to an open campaign's text question (so a reply
    awaits it)."""
    household = _household(community)
    question = QuestionFactory(
        campaign=CampaignFactory(estate=household.building.estate),
        kind=Question.Kind.TEXT,
    )
    response = response_submit(
        campaign=question.campaign,
        household=household,
        answers={question.pk: "楼道灯坏了"},
        actor=Resident(household),
    )
    return Response.objects.get(pk=response.pk)


def _ballot(community):
    household = _household(community)
    vote = VoteFactory(estate=household.building.estate)
    return BallotFactory(vote=vote, household=household)


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
    MenuItem: (lambda community: MenuItemFactory(name="矩阵项目"), SHARED_LIST),
    Campaign: (_draft_campaign, COMMUNITY_DRAFTS),
    Question: (
        lambda community: QuestionFactory(campaign=_draft_campaign(community)),
        COMMUNITY_DRAFTS,
    ),
    Response: (_response, RECORDS),
    Reply: (
        lambda community: Reply.objects.get(response=_response(community)),
        REPLIES,
    ),
    Opinion: (
        lambda community: Opinion.objects.create(
            estate=_estate(community), text="希望增加休息座椅"
        ),
        RECORDS,
    ),
    AccessCode: (
        lambda community: AccessCodeFactory(household=_household(community)),
        CODES,
    ),
    Vote: (
        lambda community: VoteFactory(
            estate=_estate(community), status=Vote.Status.DRAFT, opens_at=None
        ),
        COMMUNITY_DRAFTS,
    ),
    Ballot: (_ballot, COMMUNITY_ROWS),
    Interview: (
        lambda community: InterviewFactory(estate=_estate(community)),
        COMMUNITY_ROWS,
    ),
    Meeting: (
        lambda community: MeetingFactory(estate=_estate(community)),
        COMMUNITY_ROWS,
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
    RECORDS: {
        "street": ("list+", "view", 403),
        "community": ("list+", "view", 403),
        "other_community": ("list-", "gone", 403),
        "party": (403, 403, 403),
    },
    REPLIES: {
        "street": ("list+", "edit", 403),
        "community": ("list+", "edit", 403),
        "other_community": ("list-", "gone", 403),
        "party": (403, 403, 403),
    },
}
EXPECTED[COMMUNITY_DRAFTS] = EXPECTED[COMMUNITY_ROWS]
EXPECTED[CODES] = EXPECTED[RECORDS]
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


# --- Admin writes ---------------------------------------------------------------------

# One change per model, typed into the admin's own change form (read back from
# the page as the street office sees it, the way a browser sends it).
ADMIN_CHANGES = {
    User: {"first_name": "矩阵"},
    Community: {"notes": "矩阵"},
    Estate: {"notes": "矩阵"},
    Building: {"storeys": "9"},
    Household: {"resident_count": "5"},
    Owner: {"name": "矩阵业主"},
    ProblemCategory: {"sort_order": "77"},
    Problem: {"description": "矩阵"},
    Photo: {"caption": "矩阵"},
    EstateNeed: {"description": "矩阵"},
    GovernanceBody: {"name": "矩阵组织"},
    GovernanceMember: {"position": "矩阵"},
    TokenProxy: {"user": ""},
    LoginAttempt: {"username": "矩阵"},
    PeriodicTask: {"description": "矩阵"},
    ClockedSchedule: {"clocked_time_0": "2027-02-03"},
    CrontabSchedule: {"minute": "8"},
    SolarSchedule: {"latitude": "22.300000"},
    IntervalSchedule: {"every": "11"},
    MenuItem: {"description": "矩阵"},
    Campaign: {"title": "矩阵征询"},
    Question: {"prompt": "矩阵题目"},
    Response: {"channel": "paper"},
    Reply: {"status": "accepted", "text": "矩阵答复"},
    Opinion: {"text": "矩阵"},
    AccessCode: {"is_active": ""},
    Vote: {"title": "矩阵表决"},
    Interview: {"notes": "矩阵"},
    Meeting: {"place": "矩阵"},
}

# What a POST of the change form and of the delete confirmation do: "saved" and
# "deleted" (a redirect, the row changed or gone), a refusal's status, "gone"
# (the admin's redirect for a row outside the user's scope) or "login". After
# every refusal the row is exactly as it was.
ADMIN_WRITES = {
    COMMUNITY_ROWS: {
        "street": ("saved", "deleted"),
        "community": ("saved", 403),
        "other_community": ("gone", 403),
        "party": (403, 403),
    },
    COMMUNITIES: {
        "street": ("saved", "deleted"),
        "community": (403, 403),
        "other_community": (403, 403),
        "party": (403, 403),
    },
    SHARED_LIST: {
        "street": ("saved", "deleted"),
        "community": (403, 403),
        "other_community": (403, 403),
        "party": (403, 403),
    },
    STREET_ONLY: {
        "street": ("saved", "deleted"),
        "community": (403, 403),
        "other_community": (403, 403),
        "party": (403, 403),
    },
    STREET_VIEW_ONLY: {
        "street": (403, "deleted"),
        "community": (403, 403),
        "other_community": (403, 403),
        "party": (403, 403),
    },
    SUPERUSER_ONLY: {
        "street": (403, 403),
        "community": (403, 403),
        "other_community": (403, 403),
        "party": (403, 403),
    },
    COMMUNITY_DRAFTS: {
        "street": ("saved", "deleted"),
        "community": ("saved", "deleted"),
        "other_community": ("gone", "gone"),
        "party": (403, 403),
    },
    RECORDS: {
        "street": (403, "deleted"),
        "community": (403, 403),
        "other_community": (403, 403),
        "party": (403, 403),
    },
    REPLIES: {
        "street": ("saved", 403),
        "community": ("saved", 403),
        "other_community": ("gone", 403),
        "party": (403, 403),
    },
    CODES: {
        "street": (403, 403),
        "community": (403, 403),
        "other_community": (403, 403),
        "party": (403, 403),
    },
}
for _scope in ADMIN_WRITES.values():
    _scope["anonymous"] = ("login", "login")


def _row(model, pk):
    """The stored row, as the database holds it (None once deleted)."""
    return model._base_manager.filter(pk=pk).values().first()


def _check_write(response, expected, before, after, kind):
    if expected == "saved":
        assert response.status_code == 302, (kind, _errors(response))
        assert after is not None and after != before, kind
        return
    if expected == "deleted":
        assert response.status_code == 302, kind
        assert after is None, kind
        return
    _check(response, expected, None, kind)
    assert after == before, f"{kind} was refused but changed the row"


def _errors(response):
    context = getattr(response, "context", None) or {}
    form = context.get("adminform")
    return form.form.errors if form else response.status_code


def test_every_admin_model_has_a_change():
    missing = [m._meta.label for m in ADMIN_MODELS if m not in ADMIN_CHANGES]

    assert missing == [], f"no permission-matrix change for {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_admin_write_matrix(
    client, role_users, community, other_community, model, role
):
    # given: the change form as the street office sees it, with one change
    obj, scope = _make(model, community)
    expected_change, expected_delete = ADMIN_WRITES[scope][role]
    base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    change_url = reverse(f"{base}_change", args=[quote(obj.pk)])
    delete_url = reverse(f"{base}_delete", args=[quote(obj.pk)])
    client.force_login(role_users["street"])
    data = form_values(client.get(change_url).content.decode())
    data.update(ADMIN_CHANGES[model])
    client.logout()
    _login(client, role_users, role)
    before = _row(model, obj.pk)

    # when
    changed = client.post(change_url, data)
    after_change = _row(model, obj.pk)
    deleted = client.post(delete_url, {"post": "yes"})
    after_delete = _row(model, obj.pk)

    # then
    _check_write(changed, expected_change, before, after_change, "change")
    _check_write(deleted, expected_delete, after_change, after_delete, "delete")


# A row stays in its estate: what the admin does with a move. The estate of a
# row is read-only once registered, so a posted estate is ignored; a household
# (building) or a member (body) moved across estates is a form error.
def _admin_moves(community, other_community):
    elsewhere = EstateFactory(community=community)
    foreign = EstateFactory(community=other_community)
    return {
        "same community": {
            "estate": elsewhere,
            "building": BuildingFactory(estate=elsewhere),
            "body": GovernanceBodyFactory(estate=elsewhere),
            "campaign": CampaignFactory(estate=elsewhere, status="draft"),
        },
        "other community": {
            "estate": foreign,
            "building": BuildingFactory(estate=foreign),
            "body": GovernanceBodyFactory(estate=foreign),
            "campaign": CampaignFactory(estate=foreign, status="draft"),
        },
    }


ESTATE_ROW_MODELS = [
    model
    for model in ADMIN_MODELS
    if FACTORIES.get(model, (None, None))[1] in (COMMUNITY_ROWS, COMMUNITY_DRAFTS)
    and model is not Estate
]
# The field that ties each row to its estate, and where the row's estate is read.
MOVE_FIELDS = {
    Building: ("estate", "estate_id"),
    Household: ("building", "building__estate_id"),
    Owner: (None, None),  # an owner is not tied to one estate
    Problem: ("estate", "estate_id"),
    Photo: ("estate", "estate_id"),
    EstateNeed: ("estate", "estate_id"),
    GovernanceBody: ("estate", "estate_id"),
    GovernanceMember: ("body", "body__estate_id"),
    Campaign: ("estate", "estate_id"),
    Question: ("campaign", "campaign__estate_id"),
    Vote: ("estate", "estate_id"),
    Interview: ("estate", "estate_id"),
    Meeting: ("estate", "estate_id"),
}


def test_every_estate_row_has_a_move_field():
    missing = [m._meta.label for m in ESTATE_ROW_MODELS if m not in MOVE_FIELDS]

    assert missing == [], f"no permission-matrix move field for {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["same community", "other community"])
@pytest.mark.parametrize("role", ["street", "community"])
@pytest.mark.parametrize(
    "model",
    [m for m in ESTATE_ROW_MODELS if MOVE_FIELDS.get(m, (None,))[0]],
    ids=lambda m: m._meta.label,
)
def test_admin_cannot_move_a_row_to_another_estate(
    client, role_users, community, other_community, model, role, target
):
    obj, _scope = _make(model, community)
    field, estate_path = MOVE_FIELDS[model]
    destination = _admin_moves(community, other_community)[target][field]
    base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    url = reverse(f"{base}_change", args=[quote(obj.pk)])
    client.force_login(role_users[role])
    data = form_values(client.get(url).content.decode())
    home = model.objects.values_list(estate_path, flat=True).get(pk=obj.pk)
    before = _row(model, obj.pk)

    response = client.post(url, {**data, field: str(destination.pk)})

    assert response.status_code in (200, 302)
    assert model.objects.values_list(estate_path, flat=True).get(pk=obj.pk) == home
    if response.status_code == 200:
        assert field in response.context["adminform"].form.errors
        assert _row(model, obj.pk) == before


# --- API ------------------------------------------------------------------------------

# Every router under /api/v1/ (baitang.urls).
ROUTERS = [register_router, surveys_router]
API_ENDPOINTS = sorted(
    (prefix, viewset)
    for router in ROUTERS
    for prefix, viewset, _basename in router.registry
)

# Which roles see a row made in `community`, per scope; everyone else gets an
# empty list and 404 on the row.
API_SEES = {
    COMMUNITY_ROWS: {"street", "community"},
    COMMUNITY_DRAFTS: {"street", "community"},
    RECORDS: {"street", "community"},
    REPLIES: {"street", "community"},
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


# --- API writes -----------------------------------------------------------------------


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "olive").save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


# What each endpoint's POST creates, in `community` (a multipart body for the
# photo upload), and what its PATCH changes.
API_CREATES = {
    Estate: lambda community: {
        "community": community.pk,
        "name": "矩阵小区",
        "build_year": 1995,
    },
    Building: lambda community: {"estate": _estate(community).pk, "name": "矩阵栋"},
    Household: lambda community: {
        "building": BuildingFactory(estate=_estate(community)).pk,
        "number": "999",
        "exclusive_area": "60.00",
    },
    Problem: lambda community: {
        "estate": _estate(community).pk,
        "category": ProblemCategoryFactory(name="噪音").pk,
        "description": "矩阵",
    },
    Photo: lambda community: {"estate": _estate(community).pk, "image_file": _jpeg()},
    EstateNeed: lambda community: {"estate": _estate(community).pk, "kind": "elevator"},
    GovernanceBody: lambda community: {
        "estate": _estate(community).pk,
        "kind": "committee",
        "name": "矩阵组织",
    },
    MenuItem: lambda community: {
        "name": "矩阵新项目",
        "kind": "custom",
        "national_class": "improve",
    },
    Campaign: lambda community: {"estate": _estate(community).pk, "title": "矩阵"},
    Vote: lambda community: {
        "estate": _estate(community).pk,
        "matter": 9,
        "title": "矩阵表决",
    },
    Interview: lambda community: {
        "estate": _estate(community).pk,
        "group": "tenants",
        "interviewer": "矩阵",
        "notes": "矩阵",
    },
    Meeting: lambda community: {
        "estate": _estate(community).pk,
        "held_at": "2026-03-01T10:00:00+08:00",
        "place": "矩阵",
        "agenda": "矩阵",
    },
}
API_UPDATES = {
    Estate: {"notes": "矩阵"},
    Building: {"storeys": 9},
    Household: {"resident_count": 5},
    Problem: {"description": "矩阵"},
    EstateNeed: {"description": "矩阵"},
    GovernanceBody: {"name": "矩阵组织"},
    MenuItem: {"description": "矩阵"},
    Campaign: {"title": "矩阵征询"},
    Reply: {"status": "accepted", "text": "矩阵答复"},
    Vote: {"title": "矩阵表决"},
    Interview: {"notes": "矩阵"},
    Meeting: {"place": "矩阵"},
}

# POST, PATCH, DELETE per scope and role, for the methods an endpoint has. A
# refusal changes nothing. Staff of another community cannot name the
# community's estate (400, "does not exist") nor find its rows (404).
API_WRITES = {
    COMMUNITY_ROWS: {
        "street": (201, 200, 204),
        "community": (201, 200, 403),
        "other_community": (400, 404, 404),
        "party": (403, 403, 403),
    },
    COMMUNITY_DRAFTS: {
        "street": (201, 200, 204),
        "community": (201, 200, 204),
        "other_community": (400, 404, 404),
        "party": (403, 403, 403),
    },
    # Replies are only answered (PATCH): their POST and DELETE are missing.
    REPLIES: {
        "street": (None, 200, None),
        "community": (None, 200, None),
        "other_community": (None, 404, None),
        "party": (None, 403, None),
    },
    SHARED_LIST: {
        "street": (201, 200, 204),
        "community": (403, 403, 403),
        "other_community": (403, 403, 403),
        "party": (403, 403, 403),
    },
}
# A method an endpoint lacks: read-only endpoints refuse every write (403);
# the others answer 405 to the staff who may write there.
API_MISSING_METHOD = {
    "read-only": {role: 403 for role in ROLES},
    "writable": {
        "street": 405,
        "community": 405,
        "other_community": 405,
        "party": 403,
    },
}
ANONYMOUS = (401, 403)


def _methods(viewset) -> dict:
    return {
        "create": hasattr(viewset, "create"),
        "update": hasattr(viewset, "partial_update"),
        "delete": hasattr(viewset, "destroy"),
    }


def test_every_api_write_has_a_payload():
    missing = []
    for prefix, viewset in API_ENDPOINTS:
        model = _endpoint_model(viewset)
        methods = _methods(viewset)
        if methods["create"] and model not in API_CREATES:
            missing.append(f"POST {prefix}")
        if methods["update"] and model not in API_UPDATES:
            missing.append(f"PATCH {prefix}")
        if any(methods.values()) and FACTORIES[model][1] not in API_WRITES:
            missing.append(f"scope of {prefix}")

    assert missing == [], f"no permission-matrix write for {missing}"


def _expected_api(viewset, scope, role, method):
    if role == "anonymous":
        return ANONYMOUS
    methods = _methods(viewset)
    if not methods[method]:
        kind = "writable" if any(methods.values()) else "read-only"
        return (API_MISSING_METHOD[kind][role],)
    index = ["create", "update", "delete"].index(method)
    return (API_WRITES[scope][role][index],)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("prefix", [prefix for prefix, _ in API_ENDPOINTS])
def test_api_write_matrix(
    api_client, role_users, community, other_community, prefix, role
):
    # given
    viewset = dict(API_ENDPOINTS)[prefix]
    model = _endpoint_model(viewset)
    obj, scope = _make(model, community)
    payload = API_CREATES.get(model, lambda community: {})(community)
    user = role_users[role]
    if user is not None:
        api_client.force_authenticate(user)
    rows_before = model._base_manager.count()
    before = _row(model, obj.pk)
    body_format = "multipart" if model is Photo else "json"

    # when
    created = api_client.post(f"/api/v1/{prefix}/", payload, format=body_format)
    rows_after_create = model._base_manager.count()
    updated = api_client.patch(
        f"/api/v1/{prefix}/{obj.pk}/", API_UPDATES.get(model, {}), format="json"
    )
    after_update = _row(model, obj.pk)
    deleted = api_client.delete(f"/api/v1/{prefix}/{obj.pk}/")
    after_delete = _row(model, obj.pk)

    # then
    expect = {
        method: _expected_api(viewset, scope, role, method)
        for method in ("create", "update", "delete")
    }
    assert created.status_code in expect["create"], created.content
    assert (rows_after_create == rows_before + 1) is (created.status_code == 201)
    assert updated.status_code in expect["update"], updated.content
    assert (after_update != before) is (updated.status_code == 200)
    assert deleted.status_code in expect["delete"], deleted.content
    if deleted.status_code == 204:
        assert after_delete is None
    else:
        assert after_delete == after_update


# Moving a row to another estate through the API: 400 with the reason when the
# estate is one the user sees, 400 "does not exist" when it is another
# community's; the row stays where it was.
API_MOVABLE = [
    prefix
    for prefix, viewset in API_ENDPOINTS
    if _methods(viewset)["update"]
    and any(
        field.name == "estate"
        for field in _endpoint_model(viewset)._meta.concrete_fields
    )
]


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["same community", "other community"])
@pytest.mark.parametrize("role", ["street", "community"])
@pytest.mark.parametrize("prefix", API_MOVABLE)
def test_api_cannot_move_a_row_to_another_estate(
    api_client, role_users, community, other_community, prefix, role, target
):
    model = _endpoint_model(dict(API_ENDPOINTS)[prefix])
    obj, _scope = _make(model, community)
    destination = EstateFactory(
        community=community if target == "same community" else other_community
    )
    api_client.force_authenticate(role_users[role])
    before = _row(model, obj.pk)

    response = api_client.patch(
        f"/api/v1/{prefix}/{obj.pk}/", {"estate": destination.pk}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["estate"]
    assert _row(model, obj.pk) == before


# --- Campaign templates ---------------------------------------------------------------

# A template (a campaign of no estate) is the street office's: every office worker
# reads and copies it, only the street office changes or deletes it. Per role:
# admin changelist, change page, change POST, delete POST; API list, PATCH, DELETE.
TEMPLATE_RIGHTS = {
    "street": ("list+", "edit", "saved", "deleted", True, 200, 204),
    "community": ("list+", "view", 403, 403, True, 403, 403),
    "other_community": ("list+", "view", 403, 403, True, 403, 403),
    "party": (403, 403, 403, 403, False, 403, 403),
    "anonymous": ("login", "login", "login", "login", None, 403, 403),
}


def _template():
    return CampaignFactory(
        estate=None,
        is_template=True,
        status=Campaign.Status.DRAFT,
        opens_at=None,
        closes_at=None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_campaign_template_matrix(client, api_client, role_users, role):
    # given
    (
        expected_list,
        expected_change,
        expected_post,
        expected_delete,
        listed_in_api,
        expected_patch,
        expected_api_delete,
    ) = TEMPLATE_RIGHTS[role]
    admin_row, api_row = _template(), _template()
    change_url = reverse("admin:surveys_campaign_change", args=[admin_row.pk])
    client.force_login(role_users["street"])
    data = form_values(client.get(change_url).content.decode())
    data["title"] = "矩阵模板"
    client.logout()
    user = _login(client, role_users, role)
    if user is not None:
        api_client.force_authenticate(user)
    before = _row(Campaign, admin_row.pk)
    api_before = _row(Campaign, api_row.pk)

    # when
    changelist = client.get(reverse("admin:surveys_campaign_changelist"))
    change = client.get(change_url)
    changed = client.post(change_url, data)
    after_change = _row(Campaign, admin_row.pk)
    deleted = client.post(
        reverse("admin:surveys_campaign_delete", args=[admin_row.pk]), {"post": "yes"}
    )
    after_delete = _row(Campaign, admin_row.pk)
    listed = api_client.get("/api/v1/campaigns/", {"is_template": "true"})
    patched = api_client.patch(
        f"/api/v1/campaigns/{api_row.pk}/", {"title": "矩阵"}, format="json"
    )
    api_after_patch = _row(Campaign, api_row.pk)
    api_deleted = api_client.delete(f"/api/v1/campaigns/{api_row.pk}/")

    # then
    _check(changelist, expected_list, admin_row, "changelist")
    _check(change, expected_change, admin_row, "change")
    _check_write(changed, expected_post, before, after_change, "change")
    _check_write(deleted, expected_delete, after_change, after_delete, "delete")
    if listed_in_api is None:
        assert listed.status_code in ANONYMOUS
    else:
        ids = {row["id"] for row in listed.json()["results"]}
        assert (api_row.pk in ids) is listed_in_api
    assert patched.status_code in (expected_patch, 401)
    assert (api_after_patch != api_before) is (patched.status_code == 200)
    assert api_deleted.status_code in (expected_api_delete, 401)
    if api_deleted.status_code != 204:
        assert _row(Campaign, api_row.pk) == api_after_patch
