"""An outsider's probe of every address, as the security probe after us will
run it: each URL pattern the resolver knows, for every role (street office,
community staff, staff of another community, an outside party, anonymous; a
resident is whoever holds the code in the address), read and written with
hostile input (script, template syntax, formula, look-alike digits, numbers
beyond the database's range, another community's ids).

It asserts what must hold everywhere: never a 500; staff pages and uploaded
files refused to outside parties and anonymous visitors; another community's
rows a 404; no page shows a role what it may not see (names, phones, answers,
codes, drafts), a household's code shows nothing of another household; a
hostile write changes nothing on the other community's side; staff pages are
kept by no cache. The admin's and the API's rows are probed in depth by
test_permission_matrix; here their index and list pages are scanned for
leaks, and every other pattern must be listed in `addresses`, so a new page
fails this test until it is probed.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from baitang.roles import SYSTEM
from communities.photos import photo_create
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
)
from communities.tests.image_samples import encode, picture, upload
from surveys import services
from surveys.models import (
    AccessCode,
    Answer,
    Ballot,
    Campaign,
    Interview,
    MeetingParticipant,
    Question,
    Reply,
    Response,
    Vote,
)
from surveys.permissions import Resident
from surveys.selectors import active_code_of

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>{{ 7*7 }}'
FORMULA = '=HYPERLINK("http://evil.example/","点此")'
LOOKALIKE = "²"  # str.isdigit() says yes, int() says no
TOO_BIG = "9" * 25  # beyond PostgreSQL's bigint
TEXT_FIELDS = [
    "text",
    "title",
    "description",
    "reason",
    "notes",
    "minutes",
    "label",
    "prompt",
    "name",
    "code",
    "paper_date",
    "ballot-paper_date",
    "ballot-proxy_name",
    "ballot-proxy_document",
    "consent-document",
    "return_query",
]
ID_FIELDS = [
    "to",
    "status",
    "choice",
    "action",
    "estate",
    "building",
    "unit",
    "household",
    "user",
    "page",
    "number",
    "ballot-choice",
    "consent-consented",
]


def jpeg() -> bytes:
    return encode(picture((40, 30)), "JPEG")


@dataclass
class Side:
    """One community's rows, each carrying words found nowhere else."""

    tag: str
    estate: object
    building: object
    households: list
    code: str
    campaign: Campaign
    answer: Answer
    vote: Vote
    meeting: object
    interview: Interview
    photo: object
    open_link: object
    # words its staff (and the street office) may read
    staff_words: list[str] = field(default_factory=list)
    # the part of them its first household's code may read
    resident_words: list[str] = field(default_factory=list)


def _side(community, tag: str, phone: str) -> Side:
    estate = EstateFactory(community=community, name=f"{tag}花园")
    building = BuildingFactory(estate=estate, name="1栋", unit_count=2)
    owner = OwnerFactory(name=f"{tag}业主", phone=phone)
    households = [
        HouseholdFactory(building=building, number="101", owners=[owner]),
        HouseholdFactory(building=building, number="102"),
    ]
    services.access_codes_ensure(estate=estate, actor=SYSTEM)
    link = services.open_link_ensure(estate=estate, actor=SYSTEM)
    campaign = services.campaign_create(
        estate=estate, title=f"{tag}改造征询", description=PAYLOAD, actor=SYSTEM
    )
    text = services.question_create(
        campaign=campaign, kind=Question.Kind.TEXT, prompt=PAYLOAD, actor=SYSTEM
    )
    photo_question = services.question_create(
        campaign=campaign, kind=Question.Kind.PHOTO, prompt="照片", actor=SYSTEM
    )
    single = services.question_create(
        campaign=campaign, kind=Question.Kind.SINGLE, prompt="同意吗", actor=SYSTEM
    )
    services.option_create(question=single, label=PAYLOAD[:100], actor=SYSTEM)
    services.campaign_set_status(
        campaign=campaign, status=Campaign.Status.OPEN, actor=SYSTEM, reason="开始"
    )
    first, second = households
    response = services.response_submit(
        campaign=campaign,
        household=first,
        answers={
            text.pk: f"{tag}一号意见{PAYLOAD}",
            photo_question.pk: upload(jpeg()),
        },
        actor=Resident(first),
    )
    services.response_submit(
        campaign=campaign,
        household=second,
        answers={text.pk: f"{tag}二号意见{FORMULA}"},
        actor=Resident(second),
    )
    answer = Answer.objects.get(response=response, question=text)
    services.reply_set(
        response=response,
        question=text,
        status=Reply.Status.ACCEPTED,
        text=f"{tag}答复{PAYLOAD}",
        actor=SYSTEM,
    )
    vote = services.vote_create(
        estate=estate, matter=5, title=f"{tag}维修资金表决", actor=SYSTEM
    )
    services.vote_set_status(
        vote=vote, status=Vote.Status.OPEN, actor=SYSTEM, reason="开始"
    )
    meeting = services.meeting_create(
        estate=estate,
        held_at=timezone.now() - datetime.timedelta(days=1),
        place=f"{tag}议事点",
        agenda=PAYLOAD,
        minutes=FORMULA,
        actor=SYSTEM,
    )
    services.meeting_participant_add(
        meeting=meeting,
        name=f"{tag}代表",
        role=MeetingParticipant.Role.values[0],
        actor=SYSTEM,
    )
    services.meeting_photo_add(
        meeting=meeting, image_file=upload(jpeg()), caption=PAYLOAD, actor=SYSTEM
    )
    interview = services.interview_create(
        estate=estate,
        group=Interview.Group.values[0],
        notes=f"{tag}访谈记录{PAYLOAD}",
        interviewer=f"{tag}网格员",
        actor=SYSTEM,
    )
    photo = photo_create(estate=estate, image_file=upload(jpeg()), actor=SYSTEM)
    services.opinion_submit(link=link, text=f"{tag}公开意见{PAYLOAD}")
    resident_words = [estate.name, campaign.title, vote.title, f"{tag}一号意见"]
    return Side(
        tag=tag,
        estate=estate,
        building=building,
        households=households,
        code=active_code_of(first),
        campaign=campaign,
        answer=answer,
        vote=vote,
        meeting=meeting,
        interview=interview,
        photo=photo,
        open_link=link,
        resident_words=resident_words,
        staff_words=[
            *resident_words,
            owner.name,
            phone,
            f"{tag}二号意见",
            meeting.place,
            f"{tag}访谈记录",
            f"{tag}公开意见",
            active_code_of(second),
        ],
    )


@dataclass
class World:
    ours: Side
    theirs: Side
    draft: Campaign
    draft_vote: Vote
    template: Campaign
    menu_picture: str


@pytest.fixture
def world(community, other_community):
    ours = _side(community, "鹤洲甲", "13911110001")
    theirs = _side(other_community, "群兴乙", "13922220002")
    draft = services.campaign_create(
        estate=ours.estate, title="鹤洲甲草稿征询", actor=SYSTEM
    )
    draft_vote = services.vote_create(
        estate=ours.estate, matter=9, title="鹤洲甲草稿表决", actor=SYSTEM
    )
    template = services.campaign_create(estate=None, title="街道模板征询", actor=SYSTEM)
    item = services.menu_item_create(
        name="测试项·屋面防水",
        kind="basic",
        national_class="basic",
        description=PAYLOAD,
        actor=SYSTEM,
    )
    item = services.menu_item_set_picture(
        item=item, image_file=upload(jpeg()), actor=SYSTEM
    )
    return World(ours, theirs, draft, draft_vote, template, item.picture.name)


# --- The addresses --------------------------------------------------------------------

PUBLIC, RESIDENT, STAFF, LOGIN, MEDIA, LISTED = (
    "public",
    "resident",
    "staff",
    "login",
    "media",
    "listed",
)


@dataclass(frozen=True)
class Address:
    url: str
    kind: str  # who it is for (see above)
    side: str | None = None  # "ours", "theirs": whose row it shows or writes
    # words a visitor of this address must not see, beyond the sides' scope
    hidden: tuple[str, ...] = ()


def addresses(world: World) -> dict[str, list[Address]]:
    """Every named pattern outside the admin and the API, as concrete addresses."""
    ours, theirs = world.ours, world.theirs
    none = "00000000-0000-0000-0000-000000000000"
    by_name: dict[str, list[Address]] = {
        "home": [Address("/", PUBLIC)],
        "healthz": [Address("/healthz", PUBLIC)],
        "switch_language": [
            Address("/language/?language=en&next=//evil.example", PUBLIC)
        ],
        "elder_mode": [Address("/elder-mode/?on=1&next=https://evil.example", PUBLIC)],
        "surveys:code_entry": [Address("/s/", PUBLIC)],
        "account_tokens": [Address("/account/tokens/", LOGIN)],
        "account_token_issue": [Address("/account/tokens/issue/", LOGIN)],
        "account_token_revoke": [Address("/account/tokens/1/revoke/", LOGIN)],
        "schema": [Address("/api/schema/", STAFF)],
        "api-docs": [Address("/api/docs/", STAFF)],
        "communities:estate_overview": [Address("/estates/", STAFF)],
        "communities:estate_profile": [
            Address(f"/estates/{ours.estate.pk}/", STAFF, "ours"),
            Address(f"/estates/{theirs.estate.pk}/", STAFF, "theirs"),
        ],
        "communities:register_import": [Address("/estates/import/", STAFF)],
        "communities:register_import_job": [Address(f"/estates/import/{none}/", STAFF)],
        "communities:register_import_progress": [
            Address(f"/estates/import/{none}/progress.json", STAFF)
        ],
        "communities:register_template": [
            Address("/estates/import/template.xlsx", STAFF)
        ],
        "communities:register_export": [Address("/estates/export.xlsx", STAFF)],
        "communities:estate_export": [Address("/estates/export/", STAFF)],
        "communities:estate_export_job": [Address(f"/estates/export/{none}/", STAFF)],
        "communities:estate_export_download": [
            Address(f"/estates/export/{none}/download/", STAFF)
        ],
        "communities:media": [
            *[
                Address(f"/media/{name}", MEDIA, side)
                for side, row in (("ours", ours), ("theirs", theirs))
                for name in (
                    row.photo.image.name,
                    row.photo.thumbnail_small.name,
                    row.meeting.photos.get().image.name,
                    Answer.objects.exclude(photo="")
                    .get(response__campaign=row.campaign)
                    .photo.name,
                )
            ],
            Address(f"/media/{world.menu_picture}", MEDIA),
            Address("/media/../../etc/passwd", MEDIA),
        ],
        "surveys:campaign_list": [Address("/surveys/", STAFF)],
        "surveys:campaigns": [Address("/surveys/campaigns/", STAFF)],
        "surveys:vote_list": [Address("/surveys/votes/", STAFF)],
        # A form page: an estate out of scope is simply not offered (no side).
        "surveys:slips": [
            Address(f"/surveys/slips/?estate={ours.estate.pk}", STAFF),
            Address(f"/surveys/slips/?estate={theirs.estate.pk}", STAFF),
            Address(
                f"/surveys/slips/?estate={ours.estate.pk}"
                f"&building={theirs.building.pk}",
                STAFF,
            ),
        ],
        "surveys:slip_reissue": [
            Address(f"/surveys/slips/reissue/{row.households[0].pk}/", STAFF, side)
            for side, row in (("ours", ours), ("theirs", theirs))
        ],
    }
    for name, path in [
        ("campaign_results", "results/"),
        ("campaign_results_export", "results.xlsx"),
        ("campaign_words", "words/"),
        ("campaign_paper", "paper/"),
        ("campaign_status", "status/"),
        ("campaign_copy", "copy/"),
    ]:
        by_name[f"surveys:{name}"] = [
            Address(f"/surveys/campaigns/{ours.campaign.pk}/{path}", STAFF, "ours"),
            Address(f"/surveys/campaigns/{world.draft.pk}/{path}", STAFF, "ours"),
            Address(f"/surveys/campaigns/{theirs.campaign.pk}/{path}", STAFF, "theirs"),
            Address(f"/surveys/campaigns/{world.template.pk}/{path}", STAFF),
        ]
    by_name["surveys:campaign_paper"].append(
        Address(
            f"/surveys/campaigns/{ours.campaign.pk}/paper/"
            f"?household={theirs.households[0].pk}",
            STAFF,
            "theirs",
        )
    )
    by_name["surveys:campaign_word_reply"] = [
        Address(
            f"/surveys/campaigns/{ours.campaign.pk}/words/{ours.answer.pk}/reply/",
            STAFF,
            "ours",
        ),
        Address(
            f"/surveys/campaigns/{ours.campaign.pk}/words/{theirs.answer.pk}/reply/",
            STAFF,
            "theirs",
        ),
        Address(
            f"/surveys/campaigns/{theirs.campaign.pk}/words/{theirs.answer.pk}/reply/",
            STAFF,
            "theirs",
        ),
    ]
    for name, path in [("vote_result", ""), ("vote_status", "status/")]:
        by_name[f"surveys:{name}"] = [
            Address(f"/surveys/votes/{vote.pk}/{path}", STAFF, side)
            for side, vote in (
                ("ours", ours.vote),
                ("ours", world.draft_vote),
                ("theirs", theirs.vote),
            )
        ]
    by_name["surveys:vote_paper"] = [
        Address(f"/surveys/votes/{ours.vote.pk}/paper/", STAFF, "ours"),
        Address(f"/surveys/votes/{theirs.vote.pk}/paper/", STAFF, "theirs"),
        Address(
            f"/surveys/votes/{ours.vote.pk}/paper/?household={theirs.households[0].pk}",
            STAFF,
            "theirs",
        ),
    ]
    # A resident is whoever holds the code: every role opens these the same.
    drafts = (world.draft.title, world.draft_vote.title)
    code = ours.code
    by_name["surveys:household"] = [Address(f"/s/{code}/", RESIDENT, hidden=drafts)]
    by_name["surveys:campaign"] = [
        Address(f"/s/{code}/c/{ours.campaign.pk}/", RESIDENT, hidden=drafts),
        Address(f"/s/{code}/c/{world.draft.pk}/", RESIDENT, hidden=drafts),
        Address(f"/s/{code}/c/{theirs.campaign.pk}/", RESIDENT, hidden=drafts),
        Address(f"/s/{code}/c/{TOO_BIG}/", RESIDENT),
    ]
    by_name["surveys:ballot"] = [
        Address(f"/s/{code}/v/{ours.vote.pk}/", RESIDENT, hidden=drafts),
        Address(f"/s/{code}/v/{world.draft_vote.pk}/", RESIDENT, hidden=drafts),
        Address(f"/s/{code}/v/{theirs.vote.pk}/", RESIDENT, hidden=drafts),
    ]
    by_name["surveys:opinion"] = [
        Address(f"/o/{ours.open_link.token}/", RESIDENT),
        Address("/o/NOTATOKEN0000/", RESIDENT),
    ]
    return by_name


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else prefix
            yield from _walk(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern):
            yield pattern, f"{prefix}{pattern.name}" if pattern.name else None


def _listed_pages() -> list[Address]:
    """The admin's and the API's index and list pages, scanned for leaks."""
    pages = [
        Address("/admin/", LISTED),
        Address("/api/v1/", LISTED),
        Address("/admin/login/?next=//evil.example/", PUBLIC),
    ]
    for _pattern, name in _walk(get_resolver().url_patterns):
        if not name or "(?P<format>" in str(_pattern.pattern):
            continue
        app_model = name.removeprefix("admin:").removesuffix("_changelist")
        if name.endswith("_changelist") and app_model.startswith(
            ("communities_", "surveys_")
        ):
            pages.append(Address(reverse(name), LISTED))
        elif name.endswith("-list") and not name.startswith("admin:"):
            pages.append(Address(f"{reverse(name)}?search=%E9%B9%A4", LISTED))
    return pages


def test_every_page_outside_the_admin_and_the_api_is_probed(world):
    listed = addresses(world)
    names = {
        name
        for pattern, name in _walk(get_resolver().url_patterns)
        if name and not name.startswith("admin:")
    }
    api = {name for name in names if name.endswith(("-list", "-detail"))}
    api |= {
        name
        for name in names
        if name in {"api-root"} or name.endswith(("-status", "-picture", "-set-status"))
    }

    assert names - api - set(listed) == set()


# --- The probe -----------------------------------------------------------------------

ROLES = ["street", "community", "other_community", "party", "anonymous"]
SCOPE = {
    "street": {"ours", "theirs"},
    "community": {"ours"},
    "other_community": {"theirs"},
    "party": set(),
    "anonymous": set(),
}


def _hostile(world: World, *, ids: str) -> dict[str, str]:
    theirs = world.theirs
    values = {name: f"{PAYLOAD}{FORMULA}" for name in TEXT_FIELDS}
    if ids == "theirs":
        values |= {
            "estate": str(theirs.estate.pk),
            "building": str(theirs.building.pk),
            "household": str(theirs.households[0].pk),
            "action": "copy",
            "choice": "yes",
            "ballot-choice": "yes",
            "consent-consented": "on",
            "status": Reply.Status.ACCEPTED,
            "paper_date": "2026-01-01",
            "ballot-paper_date": "2026-01-01",
        }
    else:
        values |= {name: ids for name in ID_FIELDS}
    # The resident forms' fields: every question of both campaigns.
    for campaign in (world.ours.campaign, theirs.campaign):
        for question in campaign.questions.all():
            values[f"q{question.pk}"] = ids if ids != "theirs" else PAYLOAD
    return values


def _body(response) -> str:
    if response.streaming:
        return ""  # files: the media checks look at the status
    if "spreadsheetml" in response.get("Content-Type", ""):
        return ""
    return response.content.decode("utf-8", "replace")


def _fingerprint(side: Side) -> dict:
    """What a hostile staff write to a side would change (its residents write
    through their codes and the open link, which every role may hold)."""
    estate = side.estate
    return {
        "paper_responses": list(
            Response.objects.filter(campaign__estate=estate)
            .exclude(channel=Response.Channel.ONLINE)
            .values_list("pk", "version")
        ),
        "paper_ballots": Ballot.objects.filter(vote__estate=estate)
        .exclude(channel=Ballot.Channel.ONLINE)
        .count(),
        "replies": list(
            Reply.objects.filter(response__campaign__estate=estate).values_list(
                "pk", "status", "text"
            )
        ),
        "codes": list(
            AccessCode.objects.filter(
                household__building__estate=estate, is_active=True
            ).values_list("code", flat=True)
        ),
        "campaigns": list(
            Campaign.objects.filter(estate=estate).values_list("pk", "status", "title")
        ),
        "votes": list(Vote.objects.filter(estate=estate).values_list("pk", "status")),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_address_by_role(client, role_users, world, role):
    client.raise_request_exception = False  # a 500 is listed with the rest
    user = role_users[role]
    if user is not None:
        client.force_login(user)
    scope = SCOPE[role]
    sides = {"ours": world.ours, "theirs": world.theirs}
    forbidden_words = [
        word
        for name, side in sides.items()
        if name not in scope
        for word in side.staff_words
    ]
    resident_forbidden = [
        *world.theirs.staff_words,
        *(w for w in world.ours.staff_words if w not in world.ours.resident_words),
    ]
    out_of_scope = [side for name, side in sides.items() if name not in scope]
    before = [_fingerprint(side) for side in out_of_scope]
    pages = [a for found in addresses(world).values() for a in found] + _listed_pages()
    failures = []

    def check(address, method, response, data=None):
        status = response.status_code
        label = f"{method.upper()} {address.url} {'(hostile)' if data else ''}"
        if status >= 500:
            failures.append(f"{label}: {status}")
            return
        ok = 200 <= status < 400
        location = response.get("Location", "")
        login = status == 302 and location.startswith("/admin/login/")
        if location and not location.startswith("/") or location.startswith("//"):
            failures.append(f"{label}: sends the visitor to {location}")
        if address.kind == RESIDENT and method in ("get", "post") and status != 405:
            headers = (response.get("Referrer-Policy"), response.get("Cache-Control"))
            if headers != ("no-referrer", "private, no-store"):
                failures.append(f"{label}: resident headers {headers}")
        if address.kind == STAFF and status == 200 and method == "get":
            if "no-store" not in response.get("Cache-Control", ""):
                failures.append(f"{label}: a staff page a cache may keep")
        if "text/html" in response.get("Content-Type", "") and status == 200:
            policy = response.get("Content-Security-Policy", "")
            scripts = policy.partition("script-src")[2].partition(";")[0]
            if not scripts or "unsafe-inline" in scripts:
                failures.append(f"{label}: script policy {scripts!r}")
        if address.kind in (STAFF, MEDIA, LISTED) and ok and not login:
            if role in ("party", "anonymous") and address.kind != LISTED:
                failures.append(f"{label}: {status} for {role}")
            if address.side and address.side not in scope:
                failures.append(f"{label}: {status} on {address.side}' row")
        if address.kind == LOGIN and role == "anonymous" and ok and not login:
            failures.append(f"{label}: {status} for anonymous")
        body = _body(response)
        words = resident_forbidden if address.kind == RESIDENT else forbidden_words
        for word in [*words, *address.hidden]:
            if word in body:
                failures.append(f"{label}: shows {word!r}")
        for raw in ("<script>alert(1)", "<img src=x onerror"):
            if raw in body and "json" not in response.get("Content-Type", ""):
                failures.append(f"{label}: unescaped {raw!r}")

    for address in pages:
        check(address, "get", client.get(address.url))
        if address.kind == LISTED:
            continue  # written to in test_permission_matrix
        check(address, "head", client.head(address.url))
        if address.kind == MEDIA:
            continue
        for ids in (LOOKALIKE, TOO_BIG, "theirs"):
            data = _hostile(world, ids=ids)
            query = {
                k: data.get(k, ids) for k in ("estate", "building", "household", "page")
            }
            query |= {"status": PAYLOAD, "saved": f"c{ids}", "number": PAYLOAD}
            check(address, "get", client.get(address.url, query), query)
            check(address, "post", client.post(address.url, data), data)
        check(address, "options", client.options(address.url))
        check(address, "delete", client.delete(address.url))

    assert not failures, "\n".join(failures)
    assert [_fingerprint(side) for side in out_of_scope] == before
