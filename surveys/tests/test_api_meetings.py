"""/api/v1/interviews/ and /api/v1/meetings/: written through the interview and
meeting services, links only within the row's estate, deletes by the street
office (a meeting's photo files go with it)."""

from pathlib import Path

import pytest
from django.conf import settings

from baitang.roles import SYSTEM
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    ProblemFactory,
)
from communities.tests.image_samples import jpeg_with_gps, upload
from surveys import services
from surveys.models import Interview, Meeting
from surveys.tests.factories import (
    CampaignFactory,
    InterviewFactory,
    MeetingFactory,
    MenuItemFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("default_problem_categories"),
]

INTERVIEWS = "/api/v1/interviews/"
MEETINGS = "/api/v1/meetings/"


def test_an_interview_records_the_estates_problems_and_menu_items(
    api_client, community_user, community
):
    estate = EstateFactory(community=community)
    problem = ProblemFactory(estate=estate)
    item = MenuItemFactory(name="测试项·扶手")
    campaign = CampaignFactory(estate=estate)
    api_client.force_authenticate(community_user)

    response = api_client.post(
        INTERVIEWS,
        {
            "estate": estate.pk,
            "campaign": campaign.pk,
            "group": "elderly",
            "interviewer": "李社工",
            "interviewee_count": 5,
            "notes": "希望楼道加扶手",
            "items": [item.pk],
            "problems": [problem.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["items"], body["problems"]) == ([item.pk], [problem.pk])
    assert body["created_by"] == community_user.pk


def test_links_outside_the_estate_are_400_in_chinese(
    api_client, street_user, community
):
    interview = InterviewFactory(estate=EstateFactory(community=community))
    foreign_problem = ProblemFactory(estate=EstateFactory(community=community))
    foreign_campaign = CampaignFactory(estate=EstateFactory(community=community))
    api_client.force_authenticate(street_user)
    url = f"{INTERVIEWS}{interview.pk}/"

    problem = api_client.patch(url, {"problems": [foreign_problem.pk]}, format="json")
    campaign = api_client.patch(url, {"campaign": foreign_campaign.pk}, format="json")
    count = api_client.patch(url, {"interviewee_count": 0}, format="json")

    assert problem.json() == {"problems": ["所选问题不属于该小区。"]}
    assert campaign.json() == {"campaign": ["所选征询不属于该小区。"]}
    assert count.status_code == 400 and "受访人数至少为1。" in str(count.json())
    assert not interview.problems.exists()


def test_an_interview_is_filtered_and_deleted_by_the_street_office_only(
    api_client, street_user, community_user, community
):
    interview = InterviewFactory(
        estate=EstateFactory(community=community), group="shops"
    )
    InterviewFactory(estate=interview.estate, group="elderly")
    api_client.force_authenticate(community_user)

    shops = api_client.get(INTERVIEWS, {"group": "shops"}).json()["results"]
    refused = api_client.delete(f"{INTERVIEWS}{interview.pk}/")
    api_client.force_authenticate(street_user)
    deleted = api_client.delete(f"{INTERVIEWS}{interview.pk}/")

    assert [row["id"] for row in shops] == [interview.pk]
    assert refused.status_code == 403
    assert deleted.status_code == 204
    assert not Interview.objects.filter(pk=interview.pk).exists()


def test_a_meeting_lists_its_participants_decisions_and_photos(
    api_client, community_user, community
):
    meeting = MeetingFactory(estate=EstateFactory(community=community))
    household = HouseholdFactory(building=BuildingFactory(estate=meeting.estate))
    problem = ProblemFactory(estate=meeting.estate)
    services.meeting_participant_add(
        meeting=meeting, name="张阿姨", role="party", household=household, actor=SYSTEM
    )
    decision = services.meeting_decision_add(
        meeting=meeting, text="先修路", problems=[problem], actor=SYSTEM
    )
    photo = services.meeting_photo_add(
        meeting=meeting, image_file=upload(jpeg_with_gps()), actor=SYSTEM
    )
    api_client.force_authenticate(community_user)

    body = api_client.get(f"{MEETINGS}{meeting.pk}/").json()

    assert body["participants"] == [
        {
            "id": meeting.participants.get().pk,
            "name": "张阿姨",
            "role": "party",
            "household": household.pk,
            "attended": True,
        }
    ]
    assert body["decisions"] == [
        {
            "id": decision.pk,
            "text": "先修路",
            "items": [],
            "problems": [problem.pk],
            "campaigns": [],
        }
    ]
    assert body["photos"][0]["id"] == photo.pk
    assert body["photos"][0]["thumbnail"].endswith(".jpg")


def test_a_meeting_is_created_and_changed_but_stays_in_its_estate(
    api_client, community_user, community
):
    estate = EstateFactory(community=community)
    api_client.force_authenticate(community_user)

    created = api_client.post(
        MEETINGS,
        {
            "estate": estate.pk,
            "held_at": "2026-04-01T19:30:00+08:00",
            "place": "3栋架空层",
            "agenda": "电梯选址",
        },
        format="json",
    )
    url = f"{MEETINGS}{created.json()['id']}/"
    changed = api_client.patch(url, {"minutes": "同意先试点"}, format="json")
    moved = api_client.patch(
        url, {"estate": EstateFactory(community=community).pk}, format="json"
    )
    missing = api_client.post(MEETINGS, {"estate": estate.pk}, format="json")

    assert created.status_code == 201
    assert changed.json()["minutes"] == "同意先试点"
    assert moved.json() == {"estate": ["议事记录不能移到其他小区。"]}
    assert set(missing.json()) == {"held_at", "place", "agenda"}
    assert Meeting.objects.get().estate == estate


def test_deleting_a_meeting_removes_its_photo_files(
    api_client, street_user, community, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(estate=EstateFactory(community=community))
    photo = services.meeting_photo_add(
        meeting=meeting, image_file=upload(jpeg_with_gps()), actor=SYSTEM
    )
    files = [
        Path(settings.MEDIA_ROOT) / name
        for name in (photo.image.name, photo.thumbnail.name)
    ]
    api_client.force_authenticate(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"{MEETINGS}{meeting.pk}/")

    assert response.status_code == 204
    assert [path.exists() for path in files] == [False, False]
