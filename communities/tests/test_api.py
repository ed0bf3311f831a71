import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from baitang.roles import SYSTEM
from communities.models import Estate, Photo, Problem, ProblemCategory
from communities.services import problem_set_status
from communities.tests.factories import (
    BuildingFactory,
    EstateFactory,
    GovernanceBodyFactory,
    GovernanceMemberFactory,
    HouseholdFactory,
    OwnerFactory,
    ProblemFactory,
)

API = "/api/v1"

pytestmark = pytest.mark.usefixtures("default_problem_categories")


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def jpeg_upload(name="site.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "orange").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# --- Constant queries -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_estate_list_queries_do_not_grow(
    api_client, community_user, community, count, django_assert_max_num_queries
):
    for estate in EstateFactory.create_batch(count, community=community):
        ProblemFactory(estate=estate)
    api_client.force_authenticate(community_user)

    with django_assert_max_num_queries(3):
        rows = results(api_client.get(f"{API}/estates/?page_size=200"))

    assert len(rows) == count
    assert {row["open_problem_count"] for row in rows} == {1}


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_household_list_queries_do_not_grow(
    api_client, street_user, count, django_assert_max_num_queries
):
    building = BuildingFactory()
    owner = OwnerFactory()
    HouseholdFactory.create_batch(count, building=building, owners=[owner])
    api_client.force_authenticate(street_user)

    with django_assert_max_num_queries(3):
        rows = results(api_client.get(f"{API}/households/?page_size=200"))

    assert len(rows) == count
    assert rows[0]["owners"] == [
        {"id": owner.pk, "name": owner.name, "is_developer": False}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, pytest.param(200, marks=pytest.mark.slow)])
def test_problem_list_queries_do_not_grow(
    api_client, street_user, count, django_assert_max_num_queries
):
    ProblemFactory.create_batch(count, estate=EstateFactory())
    api_client.force_authenticate(street_user)

    with django_assert_max_num_queries(3):
        rows = results(api_client.get(f"{API}/problems/?page_size=200"))

    assert len(rows) == count


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint",
    ["communities", "buildings", "photos", "owners", "needs", "governance-bodies"],
)
@pytest.mark.parametrize("count", [5, 60])
def test_other_lists_do_not_grow(
    api_client, street_user, endpoint, count, django_assert_max_num_queries
):
    from communities.photos import photo_create
    from communities.tests.factories import CommunityFactory, EstateNeedFactory

    estate = EstateFactory()
    makers = {
        "communities": lambda: CommunityFactory(),
        "buildings": lambda: BuildingFactory(estate=estate),
        "photos": lambda: photo_create(
            estate=estate, image_file=jpeg_upload(), actor=SYSTEM
        ),
        "owners": lambda: HouseholdFactory(owners=[OwnerFactory()]),
        "needs": lambda: EstateNeedFactory(estate=estate),
        "governance-bodies": lambda: GovernanceMemberFactory(
            body=GovernanceBodyFactory(estate=estate)
        ),
    }
    for _ in range(count if endpoint != "photos" else count // 5):
        makers[endpoint]()
    api_client.force_authenticate(street_user)

    with django_assert_max_num_queries(3):
        rows = results(api_client.get(f"{API}/{endpoint}/?page_size=200"))

    assert rows


# --- Filters and search ---------------------------------------------------------------


@pytest.mark.django_db
def test_estate_filters(api_client, street_user, community, other_community):
    EstateFactory(community=community, name="甲", build_year=1988, address="白藤一路")
    EstateFactory(
        community=community,
        name="乙",
        build_year=1999,
        is_sample=True,
        management_model=Estate.ManagementModel.SELF_MANAGED,
    )
    EstateFactory(community=other_community, name="丙", build_year=2003)
    api_client.force_authenticate(street_user)

    def names(query):
        return sorted(
            r["name"] for r in results(api_client.get(f"{API}/estates/?{query}"))
        )

    assert names(f"community={community.pk}") == ["乙", "甲"]
    assert names("build_year_min=1990&build_year_max=2000") == ["乙"]
    assert names("management_model=self_managed") == ["乙"]
    assert names("is_sample=true") == ["乙"]
    assert names("search=白藤一路") == ["甲"]
    ordered = results(api_client.get(f"{API}/estates/?ordering=-build_year"))
    assert [r["name"] for r in ordered] == ["丙", "乙", "甲"]


@pytest.mark.django_db
def test_household_and_problem_filters(api_client, street_user):
    first, second = BuildingFactory.create_batch(2)
    rented = HouseholdFactory(building=first, occupancy="rented")
    HouseholdFactory(building=first)
    HouseholdFactory(building=second)
    parking = ProblemCategory.objects.get(name="停车")
    lighting = ProblemCategory.objects.get(name="照明")
    wanted = ProblemFactory(estate=first.estate, category=lighting, severity=3)
    ProblemFactory(estate=first.estate, category=parking)
    done = ProblemFactory(estate=second.estate, category=lighting)
    problem_set_status(
        problem=done,
        status=Problem.Status.RESOLVED,
        actor=SYSTEM,
        reason="回访",
    )
    api_client.force_authenticate(street_user)

    def ids(path):
        return sorted(r["id"] for r in results(api_client.get(f"{API}/{path}")))

    assert len(ids(f"households/?building={first.pk}")) == 2
    assert len(ids(f"households/?estate={second.estate_id}")) == 1
    assert ids("households/?occupancy=rented") == [rented.pk]
    assert ids(f"problems/?estate={first.estate_id}&category={lighting.pk}") == [
        wanted.pk
    ]
    assert ids("problems/?severity=3") == [wanted.pk]
    assert ids("problems/?status=resolved") == [done.pk]
    assert len(ids("problems/?status=open&status=resolved")) == 3


# --- Role scoping and personal data ---------------------------------------------------


@pytest.mark.django_db
def test_households_show_owners_and_full_phone_to_staff(
    api_client, community_user, community
):
    owner = OwnerFactory(name="陈阿姨")
    household = HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community)),
        contact_phone="13812345678",
        owners=[owner],
    )
    api_client.force_authenticate(community_user)

    (row,) = results(api_client.get(f"{API}/households/"))

    assert row["id"] == household.pk
    assert row["contact_phone"] == "13812345678"
    assert row["masked_phone"] == "138****5678"
    assert row["owners"][0]["name"] == "陈阿姨"


@pytest.mark.django_db
def test_households_hide_personal_data_from_roles_without_the_right(
    api_client, community_user, community, monkeypatch
):
    monkeypatch.setattr(
        "communities.api.views.can_see_personal_data", lambda user: False
    )
    HouseholdFactory(
        building=BuildingFactory(estate=EstateFactory(community=community)),
        contact_phone="13812345678",
        owners=[OwnerFactory(name="陈阿姨")],
    )
    api_client.force_authenticate(community_user)

    response = api_client.get(f"{API}/households/")
    owners = api_client.get(f"{API}/owners/")

    (row,) = results(response)
    assert row["masked_phone"] == "138****5678"
    assert "contact_phone" not in row and "owners" not in row
    assert "13812345678" not in response.content.decode()
    assert "陈阿姨" not in response.content.decode()
    assert results(owners) == []


@pytest.mark.django_db
def test_objects_of_another_community_answer_404(
    api_client, other_community_user, community
):
    estate = EstateFactory(community=community)
    problem = ProblemFactory(estate=estate)
    api_client.force_authenticate(other_community_user)

    assert api_client.get(f"{API}/estates/{estate.pk}/").status_code == 404
    assert (
        api_client.patch(
            f"{API}/estates/{estate.pk}/", {"notes": "x"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api_client.post(
            f"{API}/problems/{problem.pk}/status/", {"status": "planned"}, format="json"
        ).status_code
        == 404
    )


# --- Writes go through the services ---------------------------------------------------


@pytest.mark.django_db
def test_create_an_estate(api_client, community_user, community):
    api_client.force_authenticate(community_user)

    response = api_client.post(
        f"{API}/estates/",
        {
            "community": community.pk,
            "name": " 逸鸿花园 ",
            "build_year": 1997,
            "floor_area": "24631.00",
            "household_count": 144,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    estate = Estate.objects.get(pk=response.json()["id"])
    assert estate.name == "逸鸿花园"
    assert response.json()["open_problem_count"] == 0
    assert response.json()["floor_area_per_household"] == "171.0"


@pytest.mark.django_db
def test_estate_rule_violations_are_400_in_chinese(api_client, street_user, community):
    EstateFactory(community=community, name="福星苑")
    api_client.force_authenticate(street_user)

    duplicate = api_client.post(
        f"{API}/estates/",
        {"community": community.pk, "name": "福星苑", "build_year": 1999},
        format="json",
    )
    too_many_old = api_client.post(
        f"{API}/estates/",
        {
            "community": community.pk,
            "name": "新",
            "build_year": 1999,
            "elderly_60_count": 1,
            "elderly_80_count": 5,
        },
        format="json",
    )

    assert duplicate.status_code == 400
    assert duplicate.json() == {"non_field_errors": ["该社区已有同名小区。"]}
    assert too_many_old.status_code == 400
    assert too_many_old.json()["non_field_errors"] == [
        "80岁以上老人数不能多于60岁以上老人数。"
    ]


@pytest.mark.django_db
def test_community_staff_cannot_create_in_another_community(
    api_client, community_user, other_community
):
    api_client.force_authenticate(community_user)

    response = api_client.post(
        f"{API}/estates/",
        {"community": other_community.pk, "name": "越权", "build_year": 1999},
        format="json",
    )

    assert response.status_code == 400
    assert "community" in response.json()
    assert not Estate.objects.filter(name="越权").exists()


@pytest.mark.django_db
def test_only_street_staff_delete(api_client, community_user, street_user, community):
    estate = EstateFactory(community=community)

    api_client.force_authenticate(community_user)
    refused = api_client.delete(f"{API}/estates/{estate.pk}/")
    api_client.force_authenticate(street_user)
    deleted = api_client.delete(f"{API}/estates/{estate.pk}/")

    assert refused.status_code == 403
    assert deleted.status_code == 204
    assert not Estate.objects.exists()


@pytest.mark.django_db
def test_party_users_cannot_write(api_client, party_user, community):
    api_client.force_authenticate(party_user)

    response = api_client.post(
        f"{API}/estates/",
        {"community": community.pk, "name": "x", "build_year": 1999},
        format="json",
    )

    assert response.status_code == 403


@pytest.mark.django_db
def test_problem_status_is_read_only_and_moves_through_its_endpoint(
    api_client, community_user, community
):
    problem = ProblemFactory(estate=EstateFactory(community=community))
    api_client.force_authenticate(community_user)

    ignored = api_client.patch(
        f"{API}/problems/{problem.pk}/",
        {"status": "resolved", "description": "新描述"},
        format="json",
    )
    moved = api_client.post(
        f"{API}/problems/{problem.pk}/status/",
        {"status": "resolved", "reason": "已修复"},
        format="json",
    )
    refused = api_client.post(
        f"{API}/problems/{problem.pk}/status/", {"status": "open"}, format="json"
    )
    detail = api_client.get(f"{API}/problems/{problem.pk}/")

    assert ignored.status_code == 200
    assert ignored.json()["status"] == "open"
    assert ignored.json()["description"] == "新描述"
    assert moved.status_code == 200 and moved.json()["status"] == "resolved"
    assert refused.status_code == 400
    assert "反弹复发" in refused.json()["status"][0]
    assert [c["to_status"] for c in detail.json()["status_changes"]] == ["resolved"]
    assert detail.json()["status_changes"][0]["reason"] == "已修复"


@pytest.mark.django_db
def test_problem_building_must_belong_to_the_estate(api_client, street_user):
    estate = EstateFactory()
    elsewhere = BuildingFactory()
    api_client.force_authenticate(street_user)

    response = api_client.post(
        f"{API}/problems/",
        {
            "estate": estate.pk,
            "building": elsewhere.pk,
            "category": ProblemCategory.objects.get(name="消防").pk,
            "description": "消防通道堵塞",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"building": ["所选楼栋不属于该小区。"]}


@pytest.mark.django_db
def test_create_a_building_and_a_household(api_client, street_user):
    estate = EstateFactory()
    owner = OwnerFactory()
    HouseholdFactory(owners=[owner])  # makes the owner visible
    api_client.force_authenticate(street_user)

    building = api_client.post(
        f"{API}/buildings/",
        {"estate": estate.pk, "name": "3栋", "storeys": 6, "unit_count": 2},
        format="json",
    )
    household = api_client.post(
        f"{API}/households/",
        {
            "building": building.json()["id"],
            "unit": 1,
            "number": "601",
            "floor": 6,
            "exclusive_area": "72.35",
            "owner_ids": [owner.pk],
        },
        format="json",
    )
    duplicate = api_client.post(
        f"{API}/households/",
        {
            "building": building.json()["id"],
            "unit": 1,
            "number": "601",
            "exclusive_area": "70",
        },
        format="json",
    )

    assert building.status_code == 201, building.content
    assert household.status_code == 201, household.content
    assert household.json()["exclusive_area"] == "72.35"
    assert household.json()["owners"][0]["id"] == owner.pk
    assert duplicate.status_code == 400
    assert duplicate.json() == {"non_field_errors": ["该楼栋单元已有相同房号。"]}


@pytest.mark.django_db
def test_negative_area_is_refused(api_client, street_user):
    building = BuildingFactory()
    api_client.force_authenticate(street_user)

    response = api_client.post(
        f"{API}/households/",
        {"building": building.pk, "number": "101", "exclusive_area": "-3"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["专有部分面积必须大于0。"]}


@pytest.mark.django_db
def test_governance_body_and_need_endpoints(api_client, street_user):
    estate = EstateFactory()
    api_client.force_authenticate(street_user)

    body = api_client.post(
        f"{API}/governance-bodies/",
        {"estate": estate.pk, "kind": "self_group", "name": "幸福园自治小组"},
        format="json",
    )
    need = api_client.post(
        f"{API}/needs/",
        {"estate": estate.pk, "kind": "meal_point", "quantity": 1},
        format="json",
    )

    assert body.status_code == 201 and body.json()["members"] == []
    assert need.status_code == 201 and need.json()["kind"] == "meal_point"
    assert estate.governance_bodies.get().name == "幸福园自治小组"


# --- Photos ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_photo_upload_is_processed(api_client, community_user, community):
    estate = EstateFactory(community=community)
    api_client.force_authenticate(community_user)

    response = api_client.post(
        f"{API}/photos/",
        {
            "estate": estate.pk,
            "image_file": jpeg_upload(),
            "stage": "after",
            "caption": "改造后的单元门",
            "pair_key": "门口",
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    photo = Photo.objects.get(pk=body["id"])
    assert (photo.stage, photo.caption, photo.uploaded_by) == (
        "after",
        "改造后的单元门",
        community_user,
    )
    assert body["thumbnail_small"].startswith("http://testserver/media/")
    assert (body["width"], body["height"]) == (120, 80)


@pytest.mark.django_db
def test_photo_upload_refusal_is_a_chinese_400(api_client, street_user):
    estate = EstateFactory()
    api_client.force_authenticate(street_user)

    response = api_client.post(
        f"{API}/photos/",
        {
            "estate": estate.pk,
            "image_file": SimpleUploadedFile("x.png", b"%PDF-1.4 not an image"),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "PDF" in response.json()["image_file"][0]
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_photo_upload_to_another_communitys_estate_is_refused(
    api_client, other_community_user, community
):
    estate = EstateFactory(community=community)
    api_client.force_authenticate(other_community_user)

    response = api_client.post(
        f"{API}/photos/",
        {"estate": estate.pk, "image_file": jpeg_upload()},
        format="multipart",
    )

    assert response.status_code == 400
    assert "estate" in response.json()
    assert not Photo.objects.exists()


# --- Schema ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_generates_without_warnings(tmp_path, client, street_user):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    for path in [
        "/api/v1/estates/",
        "/api/v1/households/",
        "/api/v1/problems/{id}/status/",
        "/api/v1/photos/",
    ]:
        assert f"{path}:" in schema
    client.force_login(street_user)  # the schema is for staff only
    assert client.get("/api/schema/").status_code == 200
