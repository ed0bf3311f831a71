import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from baitang.roles import SYSTEM
from communities.models import (
    Building,
    Estate,
    Household,
    Photo,
    Problem,
    ProblemCategory,
    ProblemStatusChange,
)
from communities.services import problem_set_status
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    HouseholdFactory,
    ProblemFactory,
)

ESTATE_LIST = "/admin/communities/estate/"
PROBLEM_LIST = "/admin/communities/problem/"
HOUSEHOLD_LIST = "/admin/communities/household/"
PHOTO_ADD = "/admin/communities/photo/add/"

pytestmark = pytest.mark.usefixtures("default_problem_categories")


def png_upload(name="site.png", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def estates(count, community, **kwargs):
    return EstateFactory.create_batch(count, community=community, **kwargs)


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def estate_form(estate, **overrides):
    data = {
        "community": estate.community_id,
        "name": estate.name,
        "address": estate.address,
        "build_year": estate.build_year,
        "is_sample": "",
        "notes": estate.notes,
        "land_area": estate.land_area,
        "floor_area": estate.floor_area,
        "building_count": estate.building_count,
        "household_count": estate.household_count,
        "resident_count": estate.resident_count,
        "elderly_60_count": estate.elderly_60_count,
        "elderly_80_count": estate.elderly_80_count,
        "disabled_count": estate.disabled_count,
        "children_count": estate.children_count,
        "low_income_count": estate.low_income_count,
        "tenant_share": estate.tenant_share,
        "management_model": estate.management_model,
        "maintenance_fund": estate.maintenance_fund,
    }
    for prefix in ["buildings", "problems", "photos", "governance_bodies", "needs"]:
        data.update(management(prefix))
    data.update(overrides)
    return data


# --- Estate changelist ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_estate_changelist_queries_do_not_grow_with_rows(
    client, street_user, community, count, django_assert_max_num_queries
):
    for estate in estates(count, community):
        ProblemFactory(estate=estate)
    client.force_login(street_user)

    with django_assert_max_num_queries(8):
        response = client.get(ESTATE_LIST)

    assert response.status_code == 200
    assert response.context["cl"].result_count == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_estate_changelist_for_community_staff_queries_do_not_grow(
    client, community_user, community, count, django_assert_max_num_queries
):
    estates(count, community)
    client.force_login(community_user)

    with django_assert_max_num_queries(9):
        response = client.get(ESTATE_LIST)

    assert response.context["cl"].result_count == count


@pytest.mark.django_db
def test_community_staff_see_only_their_communitys_estates(
    client, community_user, community, other_community
):
    EstateFactory(community=community, name="藤翠苑7号小区")
    EstateFactory(community=other_community, name="群兴小区")
    client.force_login(community_user)

    response = client.get(ESTATE_LIST)

    names = [estate.name for estate in response.context["cl"].result_list]
    assert names == ["藤翠苑7号小区"]
    assert "群兴社区" not in response.content.decode()  # not even in the filter


@pytest.mark.django_db
def test_open_problem_count_counts_open_and_recurred_problems(
    client, street_user, community
):
    estate = EstateFactory(community=community)
    ProblemFactory.create_batch(2, estate=estate)
    planned, resolved, recurred = ProblemFactory.create_batch(3, estate=estate)
    problem_set_status(
        problem=planned,
        status=Problem.Status.PLANNED,
        actor=SYSTEM,
        reason="回访",
    )
    problem_set_status(
        problem=resolved,
        status=Problem.Status.RESOLVED,
        actor=SYSTEM,
        reason="回访",
    )
    problem_set_status(
        problem=recurred,
        status=Problem.Status.RESOLVED,
        actor=SYSTEM,
        reason="回访",
    )
    problem_set_status(
        problem=recurred,
        status=Problem.Status.RECURRED,
        actor=SYSTEM,
        reason="回访",
    )
    client.force_login(street_user)

    response = client.get(ESTATE_LIST)

    (row,) = response.context["cl"].result_list
    assert row.open_problem_count == 3


@pytest.mark.django_db
def test_estate_filters_and_search(client, street_user, community):
    EstateFactory(community=community, name="老一", build_year=1985, address="白藤一路")
    EstateFactory(community=community, name="老二", build_year=1998, address="白藤二路")
    EstateFactory(
        community=community,
        name="老三",
        build_year=2003,
        address="湖滨路",
        is_sample=True,
        management_model=Estate.ManagementModel.SELF_MANAGED,
    )
    client.force_login(street_user)

    def names(query):
        response = client.get(ESTATE_LIST + query)
        return sorted(e.name for e in response.context["cl"].result_list)

    assert names("?decade=1990") == ["老二"]
    assert names("?decade=2000") == ["老三"]
    assert names("?q=白藤") == ["老一", "老二"]
    assert names("?q=老三") == ["老三"]
    assert names("?is_sample__exact=1") == ["老三"]
    assert names("?management_model__exact=self_managed") == ["老三"]
    assert names(f"?community__id__exact={community.pk}") == ["老一", "老三", "老二"]
    page = client.get(ESTATE_LIST).content.decode()
    assert "1980年代" in page and "1990年代" in page and "2000年代" in page


@pytest.mark.django_db
def test_estate_changelist_links_to_import_and_blank_template(client, street_user):
    client.force_login(street_user)

    page = client.get(ESTATE_LIST).content.decode()

    assert reverse("communities:register_import") in page
    assert reverse("communities:register_template") in page
    assert "导出所选小区（Excel）" in page


@pytest.mark.django_db
def test_export_action_returns_a_workbook_of_the_selected_estates(
    client, street_user, community
):
    from openpyxl import load_workbook

    chosen, _other = estates(2, community)
    client.force_login(street_user)

    response = client.post(
        ESTATE_LIST,
        {"action": "export_selected", "_selected_action": [chosen.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    workbook = load_workbook(io.BytesIO(b"".join(response)))
    cells = [
        cell.value for sheet in workbook for row in sheet.iter_rows() for cell in row
    ]
    assert chosen.name in cells
    assert _other.name not in cells


# --- Estate change form and inlines ---------------------------------------------------


@pytest.mark.django_db
def test_estate_form_offers_only_visible_communities(
    client, community_user, community, other_community
):
    client.force_login(community_user)

    response = client.get("/admin/communities/estate/add/")

    choices = list(response.context["adminform"].form.fields["community"].queryset)
    assert choices == [community]


@pytest.mark.django_db
def test_community_staff_cannot_register_an_estate_in_another_community(
    client, community_user, other_community
):
    estate = EstateFactory.build(community=other_community, name="越权小区")
    client.force_login(community_user)

    response = client.post("/admin/communities/estate/add/", estate_form(estate))

    assert response.status_code == 200
    assert "community" in response.context["adminform"].form.errors
    assert not Estate.objects.filter(name="越权小区").exists()


@pytest.mark.django_db
def test_estate_is_added_with_buildings_and_problems_through_inlines(
    client, community_user, community
):
    estate = EstateFactory.build(community=community, name="新登记小区")
    category = ProblemCategory.objects.get(name="照明")
    data = estate_form(estate)
    data.update(management("buildings", total=1))
    data.update(
        {
            "buildings-0-name": "1栋",
            "buildings-0-storeys": "6",
            "buildings-0-unit_count": "2",
        }
    )
    data.update(management("problems", total=1))
    data.update(
        {
            "problems-0-category": category.pk,
            "problems-0-severity": "2",
            "problems-0-description": "路灯不亮",
            "problems-0-source": "inspection",
            "problems-0-reported_on": "2026-03-01",
        }
    )
    client.force_login(community_user)

    response = client.post("/admin/communities/estate/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Estate.objects.get(name="新登记小区")
    assert list(created.buildings.values_list("name", "storeys")) == [("1栋", 6)]
    problem = created.problems.get()
    assert (problem.description, problem.status) == ("路灯不亮", "open")


@pytest.mark.django_db
def test_bad_estate_data_comes_back_as_chinese_form_errors(
    client, street_user, community
):
    estate = EstateFactory(community=community)
    client.force_login(street_user)

    response = client.post(
        f"/admin/communities/estate/{estate.pk}/change/",
        estate_form(estate, elderly_60_count="5", elderly_80_count="9"),
    )

    assert response.status_code == 200
    assert "80岁以上老人数不能多于60岁以上老人数。" in response.content.decode()
    estate.refresh_from_db()
    assert estate.elderly_80_count == 20


@pytest.mark.django_db
def test_estate_page_shows_photo_thumbnails_read_only(client, street_user, community):
    from communities.photos import photo_create

    estate = EstateFactory(community=community)
    photo = photo_create(
        estate=estate, image_file=png_upload(), actor=SYSTEM, caption="楼道"
    )
    client.force_login(street_user)

    response = client.get(f"/admin/communities/estate/{estate.pk}/change/")

    page = response.content.decode()
    assert photo.thumbnail_small.url in page
    assert 'name="photos-0-caption"' not in page  # shown, not editable
    assert f"{PHOTO_ADD}?estate={estate.pk}" in page


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 60])
def test_estate_change_view_queries_do_not_grow_with_inline_rows(
    client, street_user, community, count, django_assert_max_num_queries
):
    estate = EstateFactory(community=community)
    BuildingFactory.create_batch(count, estate=estate)
    ProblemFactory.create_batch(count, estate=estate)
    client.force_login(street_user)

    with django_assert_max_num_queries(16):
        response = client.get(f"/admin/communities/estate/{estate.pk}/change/")

    assert response.status_code == 200


# --- Households -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_household_changelist_masks_phones_with_constant_queries(
    client, community_user, community, count, django_assert_max_num_queries
):
    building = BuildingFactory(estate=EstateFactory(community=community))
    HouseholdFactory.create_batch(count, building=building)
    first = Household.objects.order_by("pk").first()
    first.contact_phone = "13812345678"
    first.save()
    client.force_login(community_user)

    with django_assert_max_num_queries(9):
        response = client.get(HOUSEHOLD_LIST + "?all=")

    page = response.content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page


@pytest.mark.django_db
def test_building_link_filters_the_household_list(client, street_user):
    first, second = HouseholdFactory.create_batch(2)
    client.force_login(street_user)

    response = client.get(HOUSEHOLD_LIST + f"?building__id__exact={first.building_id}")

    assert list(response.context["cl"].result_list) == [first]
    building_page = client.get(
        f"/admin/communities/building/{first.building_id}/change/"
    )
    assert building_page.status_code == 200


@pytest.mark.django_db
def test_household_search_by_owner_name(client, street_user):
    from communities.tests.factories import OwnerFactory

    wanted = HouseholdFactory(owners=[OwnerFactory(name="陈阿姨")])
    HouseholdFactory(owners=[OwnerFactory(name="王伯")])
    client.force_login(street_user)

    response = client.get(HOUSEHOLD_LIST + "?q=陈阿姨")

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.django_db
def test_building_autocomplete_is_scoped(
    client, community_user, community, other_community
):
    mine = BuildingFactory(estate=EstateFactory(community=community), name="甲栋")
    BuildingFactory(estate=EstateFactory(community=other_community), name="乙栋")
    client.force_login(community_user)

    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "communities",
            "model_name": "household",
            "field_name": "building",
            "term": "栋",
        },
    )

    assert [row["id"] for row in response.json()["results"]] == [str(mine.pk)]


@pytest.mark.django_db
def test_household_form_refuses_a_building_of_another_community(
    client, community_user, other_community
):
    foreign = BuildingFactory(estate=EstateFactory(community=other_community))
    client.force_login(community_user)

    response = client.post(
        "/admin/communities/household/add/",
        {
            "building": foreign.pk,
            "unit": "1",
            "number": "101",
            "floor": "1",
            "exclusive_area": "60",
            "area_basis": "registered",
            "occupancy": "owner",
            "resident_count": "2",
        },
    )

    assert response.status_code == 200
    assert "building" in response.context["adminform"].form.errors
    assert not Household.objects.exists()


# --- Problems -------------------------------------------------------------------------


def problem_form(problem, **overrides):
    data = {
        "estate": problem.estate_id,
        "building": "",
        "category": problem.category_id,
        "severity": problem.severity,
        "source": problem.source,
        "description": problem.description,
        "reported_on": problem.reported_on.isoformat(),
        "status": "resolved",  # not a form field: must be ignored
        "new_status": "",
        "status_reason": "",
    }
    data.update(management("status_changes"))
    data.update(management("photos"))
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_problem_status_is_not_editable_directly(client, street_user):
    problem = ProblemFactory()
    client.force_login(street_user)

    response = client.post(
        f"/admin/communities/problem/{problem.pk}/change/",
        problem_form(problem, description="更新描述"),
    )

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.description == "更新描述"
    assert problem.status == Problem.Status.OPEN
    assert not ProblemStatusChange.objects.exists()


@pytest.mark.django_db
def test_problem_status_changes_through_the_form_and_is_logged(client, street_user):
    problem = ProblemFactory()
    client.force_login(street_user)

    response = client.post(
        f"/admin/communities/problem/{problem.pk}/change/",
        problem_form(problem, new_status="planned", status_reason="列入2026年计划"),
    )

    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == Problem.Status.PLANNED
    change = problem.status_changes.get()
    assert (change.actor, change.reason) == (street_user, "列入2026年计划")
    page = client.get(f"/admin/communities/problem/{problem.pk}/change/")
    assert "列入2026年计划" in page.content.decode()


@pytest.mark.django_db
def test_refused_transition_is_a_form_error_not_a_crash(client, street_user):
    problem = ProblemFactory()
    problem_set_status(
        problem=problem,
        status=Problem.Status.RESOLVED,
        actor=SYSTEM,
        reason="回访",
    )
    client.force_login(street_user)

    response = client.post(
        f"/admin/communities/problem/{problem.pk}/change/",
        problem_form(problem, new_status="open", description="改了"),
    )

    assert response.status_code == 200
    assert "应标记为“反弹复发”" in response.content.decode()
    problem.refresh_from_db()
    assert (problem.status, problem.description) == (
        "resolved",
        "车辆乱停，消防通道被占",
    )


@pytest.mark.django_db
def test_problem_actions_move_what_they_can_and_explain_the_rest(client, street_user):
    movable = ProblemFactory()
    done = ProblemFactory()
    problem_set_status(
        problem=done,
        status=Problem.Status.RESOLVED,
        actor=SYSTEM,
        reason="回访",
    )
    client.force_login(street_user)
    chosen = {"action": "mark_resolved", "_selected_action": [movable.pk, done.pk]}

    asked = client.post(PROBLEM_LIST, chosen)
    without_reason = client.post(PROBLEM_LIST, {**chosen, "apply": "1", "reason": ""})
    response = client.post(
        PROBLEM_LIST, {**chosen, "apply": "1", "reason": "整改完成"}, follow=True
    )

    assert asked.status_code == 200
    assert "变更原因" in asked.content.decode()
    assert without_reason.status_code == 200
    assert "请填写变更原因。" in without_reason.content.decode()
    movable.refresh_from_db()
    assert movable.status == Problem.Status.RESOLVED
    assert movable.status_changes.get().reason == "整改完成"
    page = response.content.decode()
    assert "已变更 1 个问题的状态。" in page
    assert "问题已经是“已解决”状态。" in page


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_problem_changelist_queries_do_not_grow(
    client, street_user, count, django_assert_max_num_queries
):
    estate = EstateFactory()
    ProblemFactory.create_batch(count, estate=estate)
    client.force_login(street_user)

    with django_assert_max_num_queries(8):
        response = client.get(PROBLEM_LIST)

    assert response.status_code == 200


@pytest.mark.django_db
def test_problem_form_refuses_a_building_of_another_estate(client, street_user):
    problem = ProblemFactory()
    elsewhere = BuildingFactory()
    client.force_login(street_user)

    response = client.post(
        f"/admin/communities/problem/{problem.pk}/change/",
        problem_form(problem, building=elsewhere.pk),
    )

    assert response.status_code == 200
    assert "所选楼栋不属于该小区。" in response.content.decode()


# --- Categories -----------------------------------------------------------------------


@pytest.mark.django_db
def test_only_street_staff_edit_problem_categories(client, street_user, community_user):
    category = ProblemCategory.objects.get(name="违建")
    url = f"/admin/communities/problemcategory/{category.pk}/change/"

    client.force_login(community_user)
    viewed = client.get(url)
    refused = client.post(url, {"name": "违章搭建", "sort_order": "5"})
    client.force_login(street_user)
    changed = client.post(url, {"name": "违章搭建", "sort_order": "5"})

    assert viewed.status_code == 200 and 'name="_save"' not in viewed.content.decode()
    assert refused.status_code == 403
    assert changed.status_code == 302
    category.refresh_from_db()
    assert category.name == "违章搭建"


# --- Photos ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_photo_upload_goes_through_photo_processing(client, community_user, community):
    estate = EstateFactory(community=community)
    client.force_login(community_user)

    response = client.post(
        PHOTO_ADD,
        {
            "estate": estate.pk,
            "image_file": png_upload(size=(400, 300)),
            "stage": "before",
            "caption": "单元门口",
        },
    )

    photo = Photo.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/communities/photo/{photo.pk}/change/")
    assert (photo.estate, photo.caption, photo.uploaded_by) == (
        estate,
        "单元门口",
        community_user,
    )
    assert photo.image.name.endswith(".jpg")  # re-encoded, not the raw upload
    assert photo.thumbnail_small and photo.thumbnail_large


@pytest.mark.django_db
def test_photo_pictures_are_sized_by_class_and_the_preview_link_is_named(
    client, street_user, community
):
    # A style attribute is dropped by the Content-Security-Policy: the list
    # showed 320px thumbnails. A picture that is a link's only content names it.
    from communities.photos import photo_create

    estate = EstateFactory(community=community)
    photo = photo_create(
        estate=estate, image_file=png_upload(), actor=SYSTEM, caption="楼道"
    )
    client.force_login(street_user)

    listing = client.get("/admin/communities/photo/").content.decode()
    page = client.get(f"/admin/communities/photo/{photo.pk}/change/").content.decode()

    assert (
        f'<img src="{photo.thumbnail_small.url}" alt="楼道" class="register-picture">'
        in listing
    )
    assert (
        f'<a href="{photo.image.url}"><img src="{photo.thumbnail_large.url}" '
        'alt="查看原图" class="register-picture register-picture--large"></a>' in page
    )
    assert "/static/css/admin.css" in page


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_a_chinese_form_error(
    client, street_user, community
):
    estate = EstateFactory(community=community)
    client.force_login(street_user)

    response = client.post(
        PHOTO_ADD,
        {
            "estate": estate.pk,
            "image_file": SimpleUploadedFile("x.jpg", b"not a picture at all"),
            "stage": "before",
            "caption": "保留这段说明",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "不是图片" in page
    assert "保留这段说明" in page  # nothing the user typed is lost
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_photo_upload_offers_only_visible_estates(
    client, community_user, community, other_community
):
    mine = EstateFactory(community=community)
    foreign = EstateFactory(community=other_community)
    client.force_login(community_user)

    response = client.post(
        PHOTO_ADD,
        {"estate": foreign.pk, "image_file": png_upload(), "stage": "before"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].fields["estate"].queryset) == [mine]
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_photo_upload_form_prefills_the_estate(client, street_user):
    estate = EstateFactory()
    client.force_login(street_user)

    page = client.get(f"{PHOTO_ADD}?estate={estate.pk}").content.decode()

    assert re.search(rf'<option value="{estate.pk}" selected>', page)


# --- Governance -----------------------------------------------------------------------


@pytest.mark.django_db
def test_governance_body_is_created_with_members_inline(client, street_user):
    estate = EstateFactory()
    building = BuildingFactory(estate=estate)
    client.force_login(street_user)
    data = {
        "estate": estate.pk,
        "kind": "committee",
        "name": "湖景花园自管委员会",
        **management("members", total=1),
        "members-0-name": "陈主任",
        "members-0-position": "主任",
        "members-0-is_party_member": "on",
        "members-0-building": building.pk,
    }

    response = client.post("/admin/communities/governancebody/add/", data)

    assert response.status_code == 302
    body = estate.governance_bodies.get()
    member = body.members.get()
    assert (member.name, member.is_party_member, member.building) == (
        "陈主任",
        True,
        building,
    )


@pytest.mark.django_db
def test_admin_index_lists_the_register_for_community_staff(client, community_user):
    client.force_login(community_user)

    page = client.get("/admin/").content.decode()

    assert "小区登记" in page
    assert "/admin/communities/estate/" in page
    assert "/admin/baitang/user/" not in page


def test_building_model_is_registered():
    from django.contrib import admin

    assert Building in admin.site._registry
