"""Every page that answers GET answers HEAD too, with the same status and
headers and no body: link checkers, uptime monitors and some phone browsers ask
with HEAD first."""

import pytest
from django.urls import reverse

from communities.tests.factories import BuildingFactory, EstateFactory, HouseholdFactory
from surveys.models import Response
from surveys.services import access_code_issue, open_link_ensure
from surveys.tests.factories import CampaignFactory, QuestionFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(community, street_user):
    estate = EstateFactory(community=community)
    household = HouseholdFactory(building=BuildingFactory(estate=estate))
    code = access_code_issue(household=household, actor=street_user).code
    campaign = CampaignFactory(estate=estate)
    QuestionFactory(campaign=campaign)
    vote = VoteFactory(estate=estate)
    link = open_link_ensure(estate=estate, actor=street_user)
    resident = [
        "/",
        reverse("surveys:household", args=[code]),
        reverse("surveys:campaign", args=[code, campaign.pk]),
        reverse("surveys:ballot", args=[code, vote.pk]),
        reverse("surveys:opinion", args=[link.token]),
        reverse("surveys:code_entry"),
    ]
    staff = [
        reverse("communities:estate_overview"),
        reverse("communities:estate_profile", args=[estate.pk]),
        reverse("surveys:campaign_list"),
        reverse("surveys:campaign_results", args=[campaign.pk]),
        reverse("surveys:campaign_words", args=[campaign.pk]),
        reverse("surveys:campaign_paper", args=[campaign.pk]),
        reverse("surveys:vote_list"),
        reverse("surveys:vote_result", args=[vote.pk]),
        reverse("surveys:vote_paper", args=[vote.pk]),
        f"{reverse('surveys:slips')}?estate={estate.pk}",
        "/account/tokens/",
    ]
    return resident, staff


def test_a_head_request_never_submits_a_campaign(client, pages):
    resident, _staff = pages
    campaign_page = resident[2]

    client.head(campaign_page)

    assert not Response.objects.exists()


def test_every_page_answers_head_like_get(client, pages, street_user):
    resident, staff = pages

    client.force_login(street_user)
    for path in resident + staff:
        got = client.get(path)
        head = client.head(path)

        assert head.status_code == got.status_code, path
        assert head.status_code in (200, 302), (path, head.status_code)
        assert head.content == b"", path
