"""A build year after the current one is refused on every path: the model's
clean() (so every service), the admin form, the API and the importer (issue 6,
point 13)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from baitang.tests.html_forms import form_values
from communities import services
from communities.excel import ESTATES, import_register
from communities.models import Estate
from communities.tests.excel_samples import estate_row, workbook_bytes
from communities.tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


def this_year() -> int:
    return timezone.localdate().year


def refusal() -> str:
    return f"建成年代不能晚于今年（{this_year()}年）。"


def test_the_model_refuses_next_year(community):
    estate = Estate(community=community, name="未来花园", build_year=this_year() + 1)

    with pytest.raises(ValidationError) as refused:
        estate.full_clean()

    assert refused.value.message_dict == {"build_year": [refusal()]}


def test_this_year_is_accepted(community, street_user):
    estate = services.estate_create(
        community=community,
        name="新落成小区",
        build_year=this_year(),
        actor=street_user,
    )

    assert estate.age == 0


def test_the_services_refuse_a_future_year(community, street_user):
    estate = EstateFactory(community=community, build_year=1998)

    with pytest.raises(ValidationError):
        services.estate_create(
            community=community, name="未来花园", build_year=2999, actor=street_user
        )
    with pytest.raises(ValidationError):
        services.estate_update(estate=estate, build_year=2030 + 1000, actor=street_user)

    estate.refresh_from_db()
    assert estate.build_year == 1998
    assert not Estate.objects.filter(name="未来花园").exists()


def test_the_admin_form_shows_the_refusal(client, street_user, community):
    estate = EstateFactory(community=community, build_year=1998)
    client.force_login(street_user)
    url = f"/admin/communities/estate/{estate.pk}/change/"
    data = form_values(client.get(url).content.decode())
    data["build_year"] = str(this_year() + 1)

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["build_year"] == [refusal()]
    estate.refresh_from_db()
    assert estate.build_year == 1998


def test_the_api_answers_400(api_client, street_user, community):
    api_client.force_authenticate(street_user)

    response = api_client.post(
        "/api/v1/estates/",
        {"community": community.pk, "name": "未来花园", "build_year": 2030 + 10},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["build_year"] == [refusal()]
    assert not Estate.objects.exists()


def test_the_importer_gives_the_row_its_reason(community, street_user):
    data = workbook_bytes(
        {ESTATES: [estate_row(**{"建成年代": f"{this_year() + 4}年"})]}
    )

    report = import_register(data, actor=street_user)

    assert [str(error) for error in report.errors] == [
        f"「小区」第2行「建成年代」：{refusal()}"
    ]
    assert not Estate.objects.exists()
