"""Script typed into every free-text field (residents' answers and opinions,
replies, titles, descriptions, prompts, options, menu items, meeting minutes,
interview notes, estate names) stays text on every page that shows it, in real
Chromium: no script runs, no injected element appears, and the policy reports
no inline script it had to block (escaping holds without its help)."""

import datetime

import pytest
from django.utils import timezone

from baitang.roles import SYSTEM
from communities.tests.factories import BuildingFactory, EstateFactory, HouseholdFactory
from surveys import services
from surveys.models import (
    Answer,
    Campaign,
    Interview,
    MeetingParticipant,
    Question,
    Reply,
    Vote,
)
from surveys.permissions import Resident
from surveys.selectors import active_code_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each sets window.__xss if it ever runs; the template syntax must print as is.
ATTACK = (
    "<script>window.__xss='script'</script>"
    '"><img src=x onerror="window.__xss=\'img\'">'
    "'><svg onload=window.__xss='svg'>{{ 7*7 }}"
)

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.sample || ""}`);
});
"""


def attack(length: int) -> str:
    return ATTACK[:length]


@pytest.fixture
def stored(community):
    estate = EstateFactory(community=community, name=attack(60))
    building = BuildingFactory(estate=estate, name="1栋")
    household = HouseholdFactory(building=building, number="101")
    services.access_codes_ensure(estate=estate, actor=SYSTEM)
    link = services.open_link_ensure(estate=estate, actor=SYSTEM)
    item = services.menu_item_create(
        name=attack(60),
        kind="basic",
        national_class="basic",
        description=ATTACK,
        actor=SYSTEM,
    )
    campaign = services.campaign_create(
        estate=estate, title=attack(100), description=ATTACK, actor=SYSTEM
    )
    rank = services.question_create(
        campaign=campaign, kind=Question.Kind.MENU_RANK, prompt="排序", actor=SYSTEM
    )
    services.question_item_add(question=rank, item=item, actor=SYSTEM)
    single = services.question_create(
        campaign=campaign,
        kind=Question.Kind.SINGLE,
        prompt=attack(200),
        help_text=attack(300),
        required=True,
        actor=SYSTEM,
    )
    services.option_create(question=single, label=attack(100), actor=SYSTEM)
    text = services.question_create(
        campaign=campaign, kind=Question.Kind.TEXT, prompt=attack(200), actor=SYSTEM
    )
    services.campaign_set_status(
        campaign=campaign, status=Campaign.Status.OPEN, actor=SYSTEM, reason=ATTACK
    )
    response = services.response_submit(
        campaign=campaign,
        household=household,
        answers={single.pk: single.options.get().pk, text.pk: ATTACK},
        actor=Resident(household),
    )
    services.reply_set(
        response=response,
        question=text,
        status=Reply.Status.LATER,
        text=ATTACK,
        actor=SYSTEM,
    )
    vote = services.vote_create(
        estate=estate, matter=5, title=attack(100), description=ATTACK, actor=SYSTEM
    )
    services.vote_set_status(
        vote=vote, status=Vote.Status.OPEN, actor=SYSTEM, reason=ATTACK
    )
    meeting = services.meeting_create(
        estate=estate,
        held_at=timezone.now() - datetime.timedelta(days=1),
        place=attack(100),
        agenda=ATTACK,
        minutes=ATTACK,
        actor=SYSTEM,
    )
    services.meeting_participant_add(
        meeting=meeting,
        name=attack(50),
        role=MeetingParticipant.Role.values[0],
        actor=SYSTEM,
    )
    interview = services.interview_create(
        estate=estate,
        group=Interview.Group.values[0],
        notes=ATTACK,
        interviewer=attack(50),
        actor=SYSTEM,
    )
    services.opinion_submit(link=link, text=ATTACK)
    return {
        "estate": estate,
        "household": household,
        "code": active_code_of(household),
        "token": link.token,
        "campaign": campaign,
        "text": text,
        "vote": vote,
        "meeting": meeting,
        "interview": interview,
        "item": item,
        "answer": Answer.objects.get(response=response, question=text),
        "reply": Reply.objects.get(response=response),
    }


def assert_stays_text(page, path: str):
    assert page.evaluate("window.__xss") is None, path
    assert page.locator('img[src="x"], svg[onload]').count() == 0, path
    assert page.evaluate("window.__violations") == [], path
    assert page.dialogs == [], path


@pytest.fixture
def watched(desktop_page):
    page = desktop_page
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog), dialog.dismiss()))
    page.add_init_script(WATCH)
    return page


def test_staff_pages_show_stored_script_as_text(
    live_server, watched, street_user, stored
):
    page = watched
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "street")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    campaign, vote = stored["campaign"].pk, stored["vote"].pk
    household, estate = stored["household"].pk, stored["estate"].pk
    paths = [
        "/",
        "/estates/",
        f"/estates/{estate}/",
        "/surveys/",
        f"/surveys/campaigns/{campaign}/results/",
        f"/surveys/campaigns/{campaign}/words/",
        f"/surveys/campaigns/{campaign}/paper/?household={household}",
        f"/surveys/campaigns/{campaign}/status/?to=closed",
        f"/surveys/campaigns/{campaign}/copy/",
        "/surveys/votes/",
        f"/surveys/votes/{vote}/",
        f"/surveys/votes/{vote}/paper/?household={household}",
        f"/surveys/slips/?estate={estate}",
        "/admin/surveys/campaign/",
        f"/admin/surveys/campaign/{campaign}/change/",
        f"/admin/surveys/question/{stored['text'].pk}/change/",
        "/admin/surveys/menuitem/",
        f"/admin/surveys/menuitem/{stored['item'].pk}/change/",
        f"/admin/surveys/meeting/{stored['meeting'].pk}/change/",
        f"/admin/surveys/interview/{stored['interview'].pk}/change/",
        "/admin/surveys/opinion/",
        "/admin/surveys/reply/",
        f"/admin/surveys/reply/{stored['reply'].pk}/change/",
        "/admin/surveys/response/",
        "/admin/surveys/accesscode/",
        f"/admin/surveys/vote/{vote}/change/",
        "/admin/communities/estate/",
        "/api/v1/campaigns/",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert_stays_text(page, path)

    # The template syntax was printed, never evaluated.
    page.goto(f"{live_server.url}/surveys/campaigns/{campaign}/words/")
    assert "{{ 7*7 }}" in page.content()


def test_resident_pages_show_stored_and_posted_script_as_text(
    live_server, watched, stored
):
    page = watched
    code, campaign = stored["code"], stored["campaign"].pk
    for path in [
        f"/s/{code}/",
        f"/s/{code}/c/{campaign}/",
        f"/s/{code}/v/{stored['vote'].pk}/",
        f"/o/{stored['token']}/",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_stays_text(page, path)

    # A refused submission shows what was typed back, still as text.
    page.goto(f"{live_server.url}/s/{code}/c/{campaign}/")
    box = f"textarea[name=q{stored['text'].pk}]"
    page.evaluate(f"document.querySelector('{box}').removeAttribute('maxlength')")
    page.fill(box, ATTACK * 10)  # over the 500 limit
    page.locator("form.survey button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".question-error").count() >= 1
    assert_stays_text(page, "the refused form")
    assert page.input_value(box) == ATTACK * 10

    # An opinion sent with script in it.
    page.goto(f"{live_server.url}/o/{stored['token']}/")
    page.fill("textarea", ATTACK)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    assert_stays_text(page, "the opinion sent")
