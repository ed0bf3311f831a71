"""Residents' pages, without an account: a household's own page, its campaign
forms and ballots through the access code in the URL, an estate's open link for
non-binding opinions and the box to type a code (the elder-mode switch is
baitang's, like the language switch). Office
staff pages are in staff_views.py.

The access code is the household's password, so under /s/ (and /o/, whose
token is a secret of the same kind):
- it sits in the path only, never in a query string or a cookie; every response
  says `Referrer-Policy: no-referrer` (no link or resource request carries the
  URL off the page) and `Cache-Control: private, no-store` (no shared or disk
  cache keeps a household's answers); logs mask it (baitang.log_filters);
- a wrong, reissued or mistyped code gets one and the same 404 page, and counts
  against the client's allowance of failures (baitang.ratelimit). Once that is
  used up, every code is refused until the window ends, the right ones too, so
  guessing learns nothing;
- the forms and ballots one household sends count against that household's
  allowance, from whatever address: each is kept as a version with its
  photos, so a slip that went round cannot fill the disk;
- the POST views are csrf_exempt. A forged cross-site POST would need the
  household's code in its URL, and whoever has the code can send the form
  themselves: forgery gains nothing, because no ambient credential (session,
  cookie) is read. Exempting them keeps residents' phones free of cookies
  (WeChat's WebView may not keep them) and the pages free of per-visitor
  tokens. The open link takes anonymous opinions by design; the per-client
  rate limit is what protects it.
"""

import hashlib
import math
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from baitang import ratelimit
from baitang.elder_mode import ELDER_COOKIE, is_elder_mode

from . import selectors
from .answers import clean_answers
from .codes import format_code, normalise_code
from .forms import answers_from_post, fields_from_answers
from .models import Ballot, Campaign, Vote
from .permissions import Resident
from .question_block import (
    answer_summary,
    fill,
    question_block,
    question_extras,
)
from .services import ballot_cast, opinion_submit, response_submit
from .services.campaigns import campaign_accepts_answers
from .services.responses import OPINION_MAX_LENGTH
from .services.votes import (
    ONLINE_BALLOT_REFUSED,
    online_ballot_allowed,
    vote_accepts_ballots,
)
from .structure import campaign_structure
from .voting import MATTERS, RULE_SETS

FAILURES = "access_code_failures"
OPINIONS = "opinions"
SUBMISSIONS = "household_submissions"


def resident_headers(view):
    """Headers every page under /s/ and /o/ sends (see the module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, context, status=status)


def _invalid(request, *, typed: str = "", message: str = ""):
    """The one answer to every code or link that does not open anything."""
    return _render(
        request,
        "surveys/resident/invalid.html",
        {
            "message": message
            or _("访问码无效或已停用，请核对纸条上的访问码，或联系社区工作人员。"),
            "typed": typed,
        },
        status=404,
    )


def _too_many(request, scope: str = FAILURES):
    seconds = ratelimit.seconds_left(scope)
    response = _render(
        request,
        "surveys/resident/too_many.html",
        {
            "minutes": math.ceil(seconds / 60),
            "sending": scope in (OPINIONS, SUBMISSIONS),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _household_or_refusal(request, code: str, *, limit_checked: bool = False):
    """(household, None) for an active code, else (None, the refusal page)."""
    if not limit_checked and ratelimit.is_limited(FAILURES, request):
        return None, _too_many(request)
    household = selectors.household_for_code(code)
    if household is None:
        ratelimit.hit(FAILURES, request)
        return None, _invalid(request)
    return household, None


def _sent_too_often(request, household) -> bool:
    """Count one form or ballot a household sends, from whatever address; True
    once it is over its allowance (each is kept as a version, with photos)."""
    return ratelimit.hit(SUBMISSIONS, request, client=f"household:{household.pk}")


def _household_url(code: str, saved: str = "") -> str:
    url = reverse("surveys:household", kwargs={"code": normalise_code(code)})
    return f"{url}?saved={saved}" if saved else url


# --- The code box --------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_exempt  # a code box on a cached page; see the module docstring
@resident_headers
def code_entry(request):
    """The box to type a code (also on the home page): forgiving about case,
    spaces, dashes and look-alike letters, then on to the household's page."""
    if request.method != "POST":
        return _render(request, "surveys/resident/code_entry.html", {})
    if ratelimit.is_limited(FAILURES, request):
        return _too_many(request)
    typed = request.POST.get("code", "")[:64]
    code = normalise_code(typed)
    if code is None:
        ratelimit.hit(FAILURES, request)
        return _invalid(request, typed=typed)
    return redirect("surveys:household", code=code)


# --- A household's own page ------------------------------------------------------


@require_safe
@resident_headers
def household_page(request, code):
    """The household's open campaigns and votes, its answers, and the office's
    replies to what it wrote (全程响应)."""
    canonical = normalise_code(code)
    if canonical is not None and canonical != code:
        return redirect("surveys:household", code=canonical)
    household, refusal = _household_or_refusal(request, code)
    if refusal:
        return refusal
    campaigns = selectors.household_campaigns(household)
    votes = selectors.household_votes(household)
    notice, cleared_draft = "", ""
    saved = request.GET.get("saved", "")
    if saved[:1] == "c" and saved[1:].isdecimal():
        notice = _("已提交，可在截止前修改。")
        cleared_draft = reverse(
            "surveys:campaign", kwargs={"code": code, "campaign_id": int(saved[1:])}
        )
    elif saved[:1] == "v" and saved[1:].isdecimal():
        notice = _("已投票，可在表决结束前修改。")
    return _render(
        request,
        "surveys/resident/household.html",
        {
            "household": household,
            "code": code,
            "printed_code": format_code(code),
            "open_campaigns": [c for c in campaigns if c.accepting],
            "other_campaigns": [c for c in campaigns if not c.accepting],
            "votes": votes,
            "replies": selectors.household_replies(household),
            "notice": notice,
            "cleared_draft": cleared_draft,
        },
    )


# --- A campaign form -------------------------------------------------------------


def _error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


# A campaign page as a household last saw it, kept in the cache under what it
# depends on (see campaign_page_stamp): the code still active, the campaign's
# version and whether it takes answers now, the household's response version,
# the language, the elder mode and the static files' names. Any change gives a
# new key, so a stale page is never served; the time limit only bounds how long
# markup survives a deployment. Pages for visitors carrying other cookies (a
# signed-in worker: navigation, messages) are neither served from nor put in it.
PAGE_CACHE_SECONDS = 300
_PAGE_COOKIES = frozenset({ELDER_COOKIE, settings.LANGUAGE_COOKIE_NAME})


def _page_cache_key(request, code: str, campaign_id: int) -> str | None:
    if request.method not in ("GET", "HEAD") or request.GET:
        return None
    if set(request.COOKIES) - _PAGE_COOKIES:
        return None
    stamp = selectors.campaign_page_stamp(code, campaign_id)
    if stamp is None or stamp[0] is None:
        return None  # the full path refuses it, and counts the failure
    household_id, updated_at, status, opens_at, closes_at, version = stamp
    accepting = campaign_accepts_answers(
        Campaign(status=status, opens_at=opens_at, closes_at=closes_at),
        timezone.now(),
    )
    parts = [
        normalise_code(code),
        campaign_id,
        household_id,
        updated_at.timestamp(),
        accepting,
        version,
        get_language(),
        is_elder_mode(request),
        static("css/resident.css"),
        static("js/resident.js"),
        static("css/site.css"),
    ]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"surveys:page:{digest}"


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_exempt  # authenticated by the code in the URL; see the module docstring
@resident_headers
def campaign_page(request, code, campaign_id):
    """The campaign's form, prefilled with the household's answers (GET); a
    submission stores a new version and goes back to the household's page
    (POST, then redirect). A closed campaign shows the answers read-only."""
    if ratelimit.is_limited(FAILURES, request):
        return _too_many(request)
    cache_key = _page_cache_key(request, code, campaign_id)
    if cache_key is not None:
        content = cache.get(cache_key)
        if content is not None:
            return HttpResponse(content)
    response = _campaign_page(request, code, campaign_id)
    if cache_key is not None and response.status_code == 200:
        cache.set(cache_key, response.content, PAGE_CACHE_SECONDS)
    return response


def _campaign_page(request, code, campaign_id):
    household, campaign = selectors.household_campaign_by_code(code, campaign_id)
    if household is None:
        ratelimit.hit(FAILURES, request)
        return _invalid(request)
    code = normalise_code(code)
    if campaign is None:
        return _invalid(request, message=_("没有找到这次征询，或者它不面向您家。"))
    structure = campaign_structure(campaign)
    context = {
        "household": household,
        "code": code,
        "campaign": campaign,
        "household_url": _household_url(code),
    }
    accepting = campaign_accepts_answers(campaign, timezone.now())
    context["response"] = campaign.my_response
    if request.method != "POST" or not accepting:
        if not accepting:
            return _campaign_read_only(request, context, structure)
        values = selectors.response_values(context["response"], structure)
        fields = fields_from_answers(structure, values)
        return _campaign_form(request, context, structure, fields, {}, values)

    if _sent_too_often(request, household):
        return _too_many(request, SUBMISSIONS)
    parsed = answers_from_post(structure, request.POST, request.FILES)
    errors = dict(parsed.errors)
    if errors:
        # Report every other problem too, not one round at a time.
        try:
            clean_answers(structure, parsed.answers)
        except ValidationError as error:
            errors = _error_dict(error) | errors
    else:
        try:
            response_submit(
                campaign=campaign,
                household=household,
                answers=parsed.answers,
                actor=Resident(household),
            )
        except ValidationError as error:
            errors = _error_dict(error)
        else:
            return redirect(_household_url(code, f"c{campaign.pk}"))
    # Only a failed submission gets here: the page shows what was sent, and
    # the version and photos already stored.
    values = (
        selectors.response_values(context["response"], structure)
        if structure.has_photo_questions
        else {}
    )
    fields = dict(request.POST.lists())
    return _campaign_form(
        request, context, structure, fields, errors, values, set(request.FILES)
    )


def _campaign_form(request, context, structure, fields, errors, values, chosen=()):
    campaign = context["campaign"]
    extras = question_extras(structure, errors, frozenset(chosen))
    stored_photos = frozenset(f"q{qid}" for qid, value in values.items() if value)
    numbers = {f"q{q.id}": q.number for q in structure.questions}
    summary = [
        {"anchor": key, "number": numbers[key], "message": " ".join(messages)}
        for key, messages in sorted(
            ((k, v) for k, v in errors.items() if k in numbers),
            key=lambda pair: numbers[pair[0]],
        )
    ]
    general = [m for k, ms in errors.items() if k not in numbers for m in ms]
    context |= {
        "questions": fill(
            question_block(campaign, structure),
            fields,
            extras=extras,
            stored_photos=stored_photos,
        ),
        "has_photos": structure.has_photo_questions,
        "errors": bool(errors),
        "error_summary": summary,
        "general_errors": general,
        "error_count": len(summary) + len(general),
    }
    return _render(request, "surveys/resident/campaign.html", context)


def _campaign_read_only(request, context, structure):
    campaign = context["campaign"]
    values = selectors.response_values(context["response"], structure)
    not_yet = campaign.status == Campaign.Status.OPEN and (
        campaign.opens_at is not None and campaign.opens_at > timezone.now()
    )
    context |= {
        "answers": answer_summary(structure, values),
        "not_yet": not_yet,
        "refused_post": request.method == "POST",
    }
    return _render(request, "surveys/resident/campaign_closed.html", context)


# --- A ballot ------------------------------------------------------------------


def _threshold_words(vote: Vote) -> str:
    rules = RULE_SETS[vote.rule_version]
    share = rules.share_words(vote.matter)
    if rules.base == "participants":
        return _(
            "参与表决的业主，专有部分面积和人数都要达到总数的三分之二以上；"
            "同意的面积和人数都要达到参与表决部分的%(share)s，才算通过。"
        ) % {"share": share}
    return _("同意的专有部分面积和人数都要达到全体业主的%(share)s，才算通过。") % {
        "share": share
    }


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_exempt  # authenticated by the code in the URL; see the module docstring
@resident_headers
def ballot_page(request, code, vote_id):
    """An owners' vote: what is decided, the ballot 同意/反对/弃权, and the
    holder's current ballot (changeable until the vote closes)."""
    household, refusal = _household_or_refusal(request, code)
    if refusal:
        return refusal
    code = normalise_code(code)
    vote = selectors.household_vote(household, vote_id)
    if vote is None:
        return _invalid(request, message=_("没有找到这次表决，或者它不面向您家。"))
    accepting = vote_accepts_ballots(vote, timezone.now())
    error, chosen = "", ""
    if request.method == "POST":
        chosen = request.POST.get("choice", "")
        if not accepting:
            error = _("表决已结束，刚才的选择没有保存。")
        elif _sent_too_often(request, household):
            return _too_many(request, SUBMISSIONS)
        else:
            try:
                ballot_cast(
                    vote=vote,
                    household=household,
                    choice=chosen,
                    actor=Resident(household),
                )
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                return redirect(_household_url(code, f"v{vote.pk}"))
    ballot = selectors.holder_ballot(vote=vote, household=household)
    if request.method != "POST" and ballot:
        chosen = ballot.choice
    return _render(
        request,
        "surveys/resident/ballot.html",
        {
            "household": household,
            "code": code,
            "vote": vote,
            "matter": MATTERS[vote.matter],
            "rules": RULE_SETS[vote.rule_version],
            "threshold": _threshold_words(vote),
            "ballot": ballot,
            "accepting": accepting,
            "online_allowed": online_ballot_allowed(household),
            "online_refused": ONLINE_BALLOT_REFUSED,
            "choices": Ballot.Choice.choices,
            "chosen": chosen,
            "error": error,
            "closed": vote.status == Vote.Status.CLOSED,
            "failed": (
                selectors.vote_result(vote=vote).failed
                if vote.status == Vote.Status.CLOSED and vote.result
                else []
            ),
            "household_url": _household_url(code),
        },
    )


# --- The estate's open link -------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@csrf_exempt  # anonymous by design, rate-limited; see the module docstring
@resident_headers
def opinion_page(request, token):
    """Anyone may leave a non-binding opinion about an estate here; it is not a
    household's answer and has no weight."""
    if ratelimit.is_limited(FAILURES, request):
        return _too_many(request)
    link = selectors.open_link_for_token(token)
    invalid = _("链接无效或已停用，请核对二维码，或联系社区工作人员。")
    if link is None:
        ratelimit.hit(FAILURES, request)
        return _invalid(request, message=invalid)
    error, text = "", ""
    if request.method == "POST":
        if ratelimit.hit(OPINIONS, request):
            return _too_many(request, OPINIONS)
        text = request.POST.get("text", "")
        try:
            opinion_submit(link=link, text=text)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        except PermissionDenied:
            return _invalid(request, message=invalid)
        else:
            return redirect(
                reverse("surveys:opinion", kwargs={"token": link.token}) + "?sent=1"
            )
    return _render(
        request,
        "surveys/resident/opinion.html",
        {
            "estate": link.estate,
            "text": text,
            "error": error,
            "sent": request.GET.get("sent") == "1",
            "max_length": OPINION_MAX_LENGTH,
        },
    )
