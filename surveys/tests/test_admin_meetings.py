"""Interviews and courtyard meetings in the admin: links limited to the row's
estate (and refused by the services otherwise), participants and decisions
kept through their services, photos cleaned on upload and their files
removed with them."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from baitang.roles import SYSTEM
from baitang.tests.html_forms import form_values
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    ProblemFactory,
)
from communities.tests.image_samples import jpeg_with_gps, upload
from surveys import services
from surveys.models import (
    Interview,
    Meeting,
    MeetingDecision,
    MeetingParticipant,
    MeetingPhoto,
)
from surveys.tests.factories import InterviewFactory, MeetingFactory, MenuItemFactory

pytestmark = pytest.mark.django_db


def files_of(photo) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [root / photo.image.name, root / photo.thumbnail.name]


# --- Interviews -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/surveys/interview/add/?estate=²",
        "/admin/surveys/meeting/add/?estate=²",
        "/admin/surveys/question/add/?campaign=²",
        "/admin/surveys/campaign/?community=²",
        "/admin/surveys/campaign/?community=1&estate=²",
        "/admin/surveys/meeting/?community=²",
    ],
)
def test_ids_that_only_look_like_digits_are_ignored(client, street_user, url):
    # "²" passes str.isdigit() but is no number int() reads: never a 500.
    client.force_login(street_user)

    assert client.get(url).status_code == 200


def interview_url(interview):
    return reverse("admin:surveys_interview_change", args=[interview.pk])


def test_an_interview_is_recorded_with_the_estates_problems(
    client, community_user, community, default_problem_categories
):
    estate = EstateFactory(community=community)
    problem = ProblemFactory(estate=estate)
    item = MenuItemFactory(name="测试项·扶手")
    client.force_login(community_user)

    response = client.post(
        reverse("admin:surveys_interview_add"),
        {
            "estate": estate.pk,
            "group": "elderly",
            "held_on": "2026-03-02",
            "interviewer": "李社工",
            "interviewee_count": "6",
            "notes": "老人希望楼道加扶手。",
            "items": [item.pk],
            "problems": [problem.pk],
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    interview = Interview.objects.get()
    assert list(interview.items.all()) == [item]
    assert list(interview.problems.all()) == [problem]
    assert interview.created_by == community_user


def test_only_the_estates_problems_are_offered_and_others_refused(
    client, street_user, community, default_problem_categories
):
    interview = InterviewFactory(estate=EstateFactory(community=community))
    mine = ProblemFactory(estate=interview.estate)
    foreign = ProblemFactory(estate=EstateFactory(community=community))
    client.force_login(street_user)
    page = client.get(interview_url(interview))
    data = form_values(page.content.decode())

    response = client.post(interview_url(interview), {**data, "problems": [foreign.pk]})

    choices = page.context["adminform"].form.fields["problems"].queryset
    assert list(choices) == [mine]
    assert response.status_code == 200
    assert "problems" in response.context["adminform"].form.errors
    assert not interview.problems.exists()


def test_an_interview_stays_in_its_estate(client, street_user, community):
    interview = InterviewFactory(estate=EstateFactory(community=community))
    home = interview.estate_id
    client.force_login(street_user)
    data = form_values(client.get(interview_url(interview)).content.decode())

    client.post(
        interview_url(interview),
        {**data, "estate": EstateFactory(community=community).pk, "notes": "补充"},
    )

    interview.refresh_from_db()
    assert interview.estate_id == home
    assert interview.notes == "补充"


def test_community_staff_do_not_delete_interviews(
    client, community_user, street_user, community
):
    interview = InterviewFactory(estate=EstateFactory(community=community))
    url = reverse("admin:surveys_interview_delete", args=[interview.pk])
    client.force_login(community_user)
    refused = client.post(url, {"post": "yes"})
    client.force_login(street_user)
    deleted = client.post(url, {"post": "yes"})

    assert refused.status_code == 403
    assert deleted.status_code == 302
    assert not Interview.objects.exists()


# --- Meetings -------------------------------------------------------------------------


def meeting_url(meeting):
    return reverse("admin:surveys_meeting_change", args=[meeting.pk])


def meeting_form(client, meeting) -> dict:
    """The change form as posted with its extra rows left empty."""
    return form_values(client.get(meeting_url(meeting)).content.decode())


def test_participants_and_decisions_are_kept_through_the_services(
    client, community_user, community, default_problem_categories
):
    meeting = MeetingFactory(estate=EstateFactory(community=community))
    household = HouseholdFactory(building=BuildingFactory(estate=meeting.estate))
    problem = ProblemFactory(estate=meeting.estate)
    item = MenuItemFactory(name="测试项·停车")
    client.force_login(community_user)
    data = meeting_form(client, meeting)
    data.update(
        {
            "participants-0-name": "张阿姨",
            "participants-0-role": "representative",
            "participants-0-household": str(household.pk),
            "participants-0-attended": "on",
            "decisions-0-text": "先规划停车位，再议电梯。",
            "decisions-0-items": [str(item.pk)],
            "decisions-0-problems": [str(problem.pk)],
        }
    )

    response = client.post(meeting_url(meeting), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    participant = MeetingParticipant.objects.get(meeting=meeting)
    assert (participant.name, participant.household) == ("张阿姨", household)
    decision = MeetingDecision.objects.get(meeting=meeting)
    assert list(decision.items.all()) == [item]
    assert list(decision.problems.all()) == [problem]


def test_a_household_of_another_estate_is_refused(client, street_user, community):
    meeting = MeetingFactory(estate=EstateFactory(community=community))
    stranger = HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community))
    )
    client.force_login(street_user)
    data = meeting_form(client, meeting)
    data.update(
        {
            "participants-0-name": "外来人",
            "participants-0-role": "resident",
            "participants-0-household": str(stranger.pk),
        }
    )

    response = client.post(meeting_url(meeting), data)

    assert response.status_code == 200
    assert "所选房屋不属于该小区。" in response.content.decode()
    assert not MeetingParticipant.objects.exists()


def test_a_photo_is_cleaned_on_upload(client, community_user, community):
    meeting = MeetingFactory(estate=EstateFactory(community=community))
    client.force_login(community_user)
    data = meeting_form(client, meeting)
    data.update(
        {
            "photos-2-0-upload": upload(jpeg_with_gps(orientation=6)),
            "photos-2-0-caption": "议事现场",
        }
    )

    response = client.post(meeting_url(meeting), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    photo = MeetingPhoto.objects.get(meeting=meeting)
    assert photo.caption == "议事现场" and photo.uploaded_by == community_user
    with Image.open(files_of(photo)[0]) as image:
        assert image.size == (100, 200) and not image.getexif()


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_kept(
    client, street_user, community
):
    meeting = MeetingFactory(estate=EstateFactory(community=community), place="凉亭")
    client.force_login(street_user)
    data = meeting_form(client, meeting)
    data.update(
        {
            "place": "活动室",
            "photos-2-0-upload": upload(b"just text", "notes.txt", "text/plain"),
        }
    )

    response = client.post(meeting_url(meeting), data)

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not MeetingPhoto.objects.exists()
    meeting.refresh_from_db()
    assert meeting.place == "凉亭"
    assert not (Path(settings.MEDIA_ROOT) / "meetings").exists() or not any(
        path.is_file() for path in (Path(settings.MEDIA_ROOT) / "meetings").rglob("*")
    )


def test_a_refused_second_photo_leaves_no_file_of_the_first(
    client, street_user, community
):
    meeting = MeetingFactory(estate=EstateFactory(community=community))
    client.force_login(street_user)
    data = meeting_form(client, meeting)
    data.update(
        {
            "photos-2-0-upload": upload(jpeg_with_gps()),
            "photos-2-1-upload": upload(b"just text", "notes.txt", "text/plain"),
        }
    )

    response = client.post(meeting_url(meeting), data)

    assert response.status_code == 200
    assert not MeetingPhoto.objects.exists()
    stored = Path(settings.MEDIA_ROOT) / "meetings"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_removing_a_photo_removes_its_files(
    client, street_user, community, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(estate=EstateFactory(community=community))
    photo = services.meeting_photo_add(
        meeting=meeting, image_file=upload(jpeg_with_gps()), actor=SYSTEM
    )
    files = files_of(photo)
    client.force_login(street_user)
    data = meeting_form(client, meeting)
    data["photos-0-DELETE"] = "on"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(meeting_url(meeting), data)

    assert response.status_code == 302
    assert not MeetingPhoto.objects.exists()
    assert [path.exists() for path in files] == [False, False]


def test_community_staff_cannot_remove_photos(client, community_user, community):
    meeting = MeetingFactory(estate=EstateFactory(community=community))
    services.meeting_photo_add(
        meeting=meeting, image_file=upload(jpeg_with_gps()), actor=SYSTEM
    )
    client.force_login(community_user)

    page = client.get(meeting_url(meeting)).content.decode()

    assert 'name="photos-0-DELETE"' not in page


def test_deleting_a_meeting_removes_its_photo_files(
    client, street_user, community, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(estate=EstateFactory(community=community))
    photo = services.meeting_photo_add(
        meeting=meeting, image_file=upload(jpeg_with_gps()), actor=SYSTEM
    )
    files = files_of(photo)
    client.force_login(street_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:surveys_meeting_delete", args=[meeting.pk]), {"post": "yes"}
        )

    assert not Meeting.objects.exists()
    assert [path.exists() for path in files] == [False, False]
