"""Paper entry (代填): a worker on a phone picks building → household, then
copies the paper form's date and answers (the resident form's questions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baitang.decorators import office_staff_required
from communities.models import Household

from .. import selectors, services
from ..answers import clean_answers
from ..forms import answers_from_post, fields_from_answers
from ..models import Response
from ..permissions import can_edit_campaign
from ..question_block import fill, question_block, question_extras
from ..services.campaigns import campaign_accepts_answers
from ..services.responses import household_in_scope
from ..staff_forms import PaperDateForm
from ..structure import campaign_structure
from ._common import (
    buildings_of,
    campaign_in_scope,
    error_dict,
    household_picker,
)


@require_http_methods(["GET", "HEAD", "POST"])
@office_staff_required
def campaign_paper(request, pk):
    """A worker enters a household's paper form: building → household → the
    paper's date and the answers, the same questions as the resident's form
    (response_submit with the worker as actor, marked as paper)."""
    campaign = campaign_in_scope(request, pk)
    if not can_edit_campaign(request.user, campaign):
        raise PermissionDenied
    context = {
        "campaign": campaign,
        "accepting": campaign_accepts_answers(campaign, timezone.now()),
    }
    household_id = request.POST.get("household") or request.GET.get("household", "")
    if not household_id:
        if request.method == "POST":
            return HttpResponseBadRequest(_("请先选择户。"))
        context.update(
            household_picker(
                request,
                households_query=lambda building, number: selectors.campaign_households(
                    campaign=campaign, building=building, number=number
                ),
                buildings=buildings_of(campaign),
                base_url=reverse("surveys:campaign_paper", args=[campaign.pk]),
            ),
            show_progress=True,
        )
        return render(request, "surveys/staff/campaign_paper.html", context)
    if not household_id.isdecimal():
        return HttpResponseBadRequest(_("户的编号无效。"))
    household = get_object_or_404(
        Household.objects.filter(building__estate_id=campaign.estate_id).select_related(
            "building"
        ),
        pk=household_id,
    )
    return _paper_form(request, campaign, household, context)


def _paper_form(request, campaign, household, context):
    structure = campaign_structure(campaign)
    response = (
        Response.objects.filter(campaign=campaign, household=household)
        .select_related("entered_by")
        .first()
    )
    date_form = PaperDateForm(request.POST if request.method == "POST" else None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        parsed = answers_from_post(structure, request.POST, request.FILES)
        errors = dict(parsed.errors)
        if not errors and date_form.is_valid():
            try:
                saved = services.response_submit(
                    campaign=campaign,
                    household=household,
                    answers=parsed.answers,
                    actor=request.user,
                    paper_date=date_form.cleaned_data["paper_date"],
                )
            except ValidationError as error:
                errors = error_dict(error)
            else:
                messages.success(
                    request,
                    _("已保存%(household)s的纸质问卷（第 %(version)s 版）。")
                    % {"household": household, "version": saved.version},
                )
                url = reverse("surveys:campaign_paper", args=[campaign.pk])
                return redirect(f"{url}?building={household.building_id}")
        else:
            # Report every problem at once, not one round at a time.
            try:
                clean_answers(structure, parsed.answers)
            except ValidationError as error:
                errors = error_dict(error) | errors
        for message in errors.pop("paper_date", []):
            date_form.add_error("paper_date", message)
        fields = dict(request.POST.lists())
        values = (
            selectors.response_values(response, structure)
            if structure.has_photo_questions
            else {}
        )
    else:
        values = selectors.response_values(response, structure)
        fields = fields_from_answers(structure, values)
    numbers = {f"q{q.id}": q.number for q in structure.questions}
    context.update(
        {
            "household": household,
            "response": response,
            "in_scope": household_in_scope(campaign, household),
            "date_form": date_form,
            "questions": fill(
                question_block(campaign, structure),
                fields,
                extras=question_extras(structure, errors, frozenset(request.FILES)),
                stored_photos=frozenset(f"q{q}" for q, v in values.items() if v),
            ),
            "has_photos": structure.has_photo_questions,
            # (number, the question's anchor, messages), in question order.
            "question_errors": sorted(
                (numbers[key], key, " ".join(found))
                for key, found in errors.items()
                if key in numbers
            ),
            "general_errors": [
                m for key, found in errors.items() if key not in numbers for m in found
            ],
        }
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/staff/campaign_paper.html", context, status=status)
