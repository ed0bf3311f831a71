"""Office staff pages show residents' names, phones, words and access codes
(the slips page prints them): no browser or proxy cache may keep them, as no
cache keeps the API's answers."""

import pytest
from django.urls import reverse

from surveys.tests.staff_data import answer_online, survey

pytestmark = pytest.mark.django_db


def test_every_staff_page_is_private_and_not_stored(client, community_user, community):
    data = survey(community)
    answer_online(data, data.households[0], text="楼道灯坏了")
    household = data.households[0]
    client.force_login(community_user)
    campaign = data.campaign.pk
    paper = reverse("surveys:campaign_paper", args=[campaign])
    urls = [
        reverse("communities:estate_overview"),
        reverse("communities:estate_profile", args=[data.estate.pk]),
        f"{reverse('surveys:slips')}?estate={data.estate.pk}",
        reverse("surveys:campaign_words", args=[campaign]),
        reverse("surveys:campaign_results", args=[campaign]),
        f"{paper}?household={household.pk}",
        reverse("surveys:vote_list"),
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
