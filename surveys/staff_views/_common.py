"""What the staff pages share: fetching a campaign or vote in scope, mapping
a service's errors onto a form, query strings, the household picker."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404

from ..models import Campaign, Vote
from ..permissions import campaigns_visible_to, votes_visible_to
from ..staff_forms import HouseholdSearchForm

LIST_PAGE_SIZE = 20
WORDS_PAGE_SIZE = 20
HOUSEHOLDS_PAGE_SIZE = 40
SLIPS_PAGE_SIZE = 80  # ten A4 sheets: a request stays well under a second


def query_string(params, **changes) -> str:
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


def add_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the form fields they name, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message.messages)
    else:
        form.add_error(None, error.messages)


def error_dict(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


def campaign_in_scope(request, pk) -> Campaign:
    """A campaign (not a template) the user may see; another scope's is a 404."""
    return get_object_or_404(
        campaigns_visible_to(request.user)
        .filter(is_template=False)
        .select_related("estate__community", "building"),
        pk=pk,
    )


def vote_in_scope(request, pk) -> Vote:
    return get_object_or_404(
        votes_visible_to(request.user).select_related(
            "estate__community", "building", "item"
        ),
        pk=pk,
    )


def status_actions(status: str, transitions, labels: dict) -> list[dict]:
    return [
        {"to": to, "label": labels[(status, to)]}
        for to in sorted(transitions.get(status, ()))
        if (status, to) in labels
    ]


def household_picker(request, *, households_query, buildings, base_url):
    """The building → room-number search a worker uses on a phone."""
    form = HouseholdSearchForm(request.GET or None, buildings=buildings)
    building, number = None, ""
    if form.is_valid():
        building = form.cleaned_data["building"]
        number = form.cleaned_data["number"]
    page = None
    if building is not None or number.strip():
        page = Paginator(
            households_query(building=building, number=number), HOUSEHOLDS_PAGE_SIZE
        ).get_page(request.GET.get("page"))
    return {
        "picker": form,
        "households": page,
        "page_query": query_string(request.GET, page=None, household=None),
        "pick_query": query_string(request.GET, page=None, household=None),
        "base_url": base_url,
    }


def buildings_of(scoped):
    """The buildings a campaign or vote covers."""
    buildings = scoped.estate.buildings.order_by("name")
    if scoped.building_id:
        buildings = buildings.filter(pk=scoped.building_id)
    return buildings
