"""What a clerk reads in the admin: Chinese status labels, readable link rows in
delete confirmations, the register first on the home page, forgiving search,
the photo form scoped to its estate, and full descriptions marked as cut."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from baitang.roles import SYSTEM
from communities.models import Household, Problem, ProblemStatusChange
from communities.services import problem_set_status
from communities.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    OwnerFactory,
    ProblemFactory,
)

pytestmark = pytest.mark.django_db

PHOTO_ADD = "/admin/communities/photo/add/"


def png_upload(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 10)).save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


# --- labels ---------------------------------------------------------------------


def test_status_log_rows_print_chinese_labels():
    problem = ProblemFactory()
    problem_set_status(
        problem=problem, status=Problem.Status.RESOLVED, actor=SYSTEM, reason="已修复"
    )

    change = ProblemStatusChange.objects.get(problem=problem)

    assert str(change) == f"问题 {problem.pk}：待解决 → 已解决"


def test_a_cut_description_ends_with_an_ellipsis():
    long = ProblemFactory(
        description="电动车在楼道内充电，消防通道被占用，居民多次反映"
    )
    short = ProblemFactory(description="路灯不亮")

    assert str(long).endswith("：电动车在楼道内充电，消防通道被占用，居民…")
    assert str(short).endswith("：路灯不亮")


def test_saved_problem_message_marks_the_cut(client, street_user):
    problem = ProblemFactory(
        description="楼道堆放杂物，影响通行和消防安全，需要清理并建立长效机制"
    )
    client.force_login(street_user)
    url = reverse("admin:communities_problem_change", args=[problem.pk])

    response = client.post(
        url,
        {
            "estate": problem.estate_id,
            "category": problem.category_id,
            "severity": problem.severity,
            "source": problem.source,
            "description": problem.description,
            "reported_on": problem.reported_on.isoformat(),
            "status_changes-TOTAL_FORMS": 0,
            "status_changes-INITIAL_FORMS": 0,
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
        },
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert any("楼道堆放杂物，影响通行和消防安全，需要清…" in m for m in messages), (
        messages
    )


def test_delete_confirmation_names_owner_links(client, street_user):
    household = HouseholdFactory(number="101")
    owner = OwnerFactory(name="张三")
    household.owners.add(owner)
    client.force_login(street_user)

    page = client.get(
        reverse("admin:communities_owner_delete", args=[owner.pk])
    ).content.decode()

    assert "object (" not in page
    assert f"户的业主: {household} — 张三" in page
    link = Household.owners.through.objects.get()
    assert str(link) == f"{household} — 张三"


# --- the admin home -------------------------------------------------------------


def test_admin_home_lists_the_register_first_and_system_last(client, street_user):
    client.force_login(street_user)

    apps = client.get(reverse("admin:index")).context["app_list"]

    names = [str(app["name"]) for app in apps]
    assert names[0] == "小区登记"
    assert names[-1] == "系统"
    assert "Periodic Tasks" not in names
    register = [model["object_name"] for model in apps[0]["models"]]
    assert register[:5] == ["Community", "Estate", "Building", "Household", "Owner"]
    system = [model["object_name"] for model in apps[-1]["models"]]
    assert "PeriodicTask" in system
    assert "CrontabSchedule" in system


# --- search ---------------------------------------------------------------------


@pytest.fixture
def bracketed(community):
    return EstateFactory(
        community=community, name="藤翠苑(7号)小区", address="白藤二路７号"
    )


@pytest.mark.parametrize(
    "term",
    [
        "藤翠苑（7号）",
        "藤翠苑(７号)",
        "翠苑（７号）小区",
        "藤翠苑 (7号)",
        "白藤二路7号",
    ],
)
def test_admin_search_ignores_width_and_brackets(client, street_user, bracketed, term):
    EstateFactory(name="福星苑")
    client.force_login(street_user)

    response = client.get(reverse("admin:communities_estate_changelist"), {"q": term})

    assert [e.name for e in response.context["cl"].result_list] == [bracketed.name]


def test_admin_autocomplete_ignores_width(client, street_user, bracketed):
    client.force_login(street_user)

    response = client.get(
        "/admin/autocomplete/",
        {
            "term": "藤翠苑（７号）",
            "app_label": "communities",
            "model_name": "problem",
            "field_name": "estate",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == [bracketed.name]


def test_api_search_ignores_width(api_client, street_user, bracketed):
    api_client.force_authenticate(street_user)

    response = api_client.get("/api/v1/estates/", {"search": "藤翠苑（７号）"})

    rows = response.json()["results"]
    assert [row["name"] for row in rows] == [bracketed.name]


def test_overview_search_ignores_width(client, street_user, bracketed):
    EstateFactory(name="福星苑")
    client.force_login(street_user)

    response = client.get(
        reverse("communities:estate_overview"), {"q": "藤翠苑（7号）"}
    )

    assert [e.name for e in response.context["page"]] == [bracketed.name]


def test_search_treats_like_wildcards_as_text(client, street_user, bracketed):
    EstateFactory(name="百分之百_小区")
    client.force_login(street_user)

    response = client.get(reverse("communities:estate_overview"), {"q": "%"})

    assert list(response.context["page"]) == []


# --- the photo form -------------------------------------------------------------


def test_photo_form_offers_the_chosen_estates_rows_in_natural_order(
    client, street_user, community
):
    estate = EstateFactory(community=community)
    elsewhere = EstateFactory(community=CommunityFactory(name="群兴社区"))
    for name in ["10栋", "2栋"]:
        BuildingFactory(estate=estate, name=name)
    BuildingFactory(estate=elsewhere, name="1栋")
    mine = ProblemFactory(estate=estate)
    ProblemFactory(estate=elsewhere)
    client.force_login(street_user)

    form = client.get(f"{PHOTO_ADD}?estate={estate.pk}").context["form"]

    buildings = [b.name for b in form.fields["building"].queryset]
    assert buildings == ["2栋", "10栋"]
    assert list(form.fields["problem"].queryset) == [mine]


def test_photo_form_offers_no_rows_before_an_estate_is_chosen(client, street_user):
    BuildingFactory()
    client.force_login(street_user)

    response = client.get(PHOTO_ADD)

    form = response.context["form"]
    assert not form.fields["building"].queryset.exists()
    assert "先选择小区。" in response.content.decode()
    assert "/static/js/photo_upload.js" in response.content.decode()


def test_photo_of_another_estate_is_refused_on_upload(client, street_user, community):
    estate = EstateFactory(community=community)
    other = BuildingFactory(estate=EstateFactory(community=community))
    client.force_login(street_user)

    response = client.post(
        PHOTO_ADD,
        {
            "estate": estate.pk,
            "image_file": png_upload(),
            "stage": "before",
            "building": other.pk,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["building"]


def test_upload_and_add_another_stays_with_the_estate(client, street_user, community):
    estate = EstateFactory(community=community)
    client.force_login(street_user)

    response = client.post(
        PHOTO_ADD,
        {
            "estate": estate.pk,
            "image_file": png_upload(),
            "stage": "before",
            "_addanother": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{PHOTO_ADD}?estate={estate.pk}"


def test_photo_page_leads_back_to_its_estate(client, street_user, community):
    estate = EstateFactory(community=community, name="逸鸿花园")
    client.force_login(street_user)
    client.post(
        PHOTO_ADD, {"estate": estate.pk, "image_file": png_upload(), "stage": "before"}
    )
    photo = estate.photos.get()
    url = reverse("admin:communities_photo_change", args=[photo.pk])

    page = client.get(url).content.decode()
    saved = client.post(
        url, {"stage": "after", "caption": "东门", "pair_key": "", "taken_on": ""}
    )

    estate_url = reverse("admin:communities_estate_change", args=[estate.pk])
    assert re.search(rf'<a href="{estate_url}">返回小区：逸鸿花园</a>', page)
    assert f'<a href="{estate.get_absolute_url()}">三维画像</a>' in page
    assert saved.status_code == 302
    assert saved["Location"] == estate_url
