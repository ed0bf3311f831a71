"""Query filters of the register API. Related rows are filtered by id with plain
number filters: the list is already scoped, and a number filter neither reveals
whether a row outside the scope exists nor costs a query."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from communities.models import (
    Building,
    Estate,
    EstateNeed,
    GovernanceBody,
    Household,
    Photo,
    Problem,
)

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


@extend_schema_field(
    {
        "type": "integer",
        "format": "int64",
        "minimum": BIGINT_MIN,
        "maximum": BIGINT_MAX,
    }
)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number, such as a related row's id: 1.5, or a number no column
    can hold, is a 400, not an empty list or a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", BIGINT_MIN)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class EstateFilter(django_filters.FilterSet):
    community = IntegerFilter(field_name="community_id")
    build_year = django_filters.RangeFilter(
        label=_("建成年代范围（build_year_min / build_year_max）")
    )
    management_model = django_filters.ChoiceFilter(
        choices=Estate.ManagementModel.choices
    )
    is_sample = django_filters.BooleanFilter()

    class Meta:
        model = Estate
        fields = ["community", "build_year", "management_model", "is_sample"]


class BuildingFilter(django_filters.FilterSet):
    estate = IntegerFilter(field_name="estate_id")
    community = IntegerFilter(field_name="estate__community_id")
    has_elevator = django_filters.BooleanFilter()

    class Meta:
        model = Building
        fields = ["estate", "community", "has_elevator"]


class HouseholdFilter(django_filters.FilterSet):
    building = IntegerFilter(field_name="building_id")
    estate = IntegerFilter(field_name="building__estate_id")
    occupancy = django_filters.ChoiceFilter(choices=Household.Occupancy.choices)
    unit = IntegerFilter()
    elderly_living_alone = django_filters.BooleanFilter()

    class Meta:
        model = Household
        fields = ["building", "estate", "occupancy", "unit", "elderly_living_alone"]


class ProblemFilter(django_filters.FilterSet):
    estate = IntegerFilter(field_name="estate_id")
    community = IntegerFilter(field_name="estate__community_id")
    building = IntegerFilter(field_name="building_id")
    category = IntegerFilter(field_name="category_id")
    # A plain column: no DISTINCT (django-filter's default), which would sort
    # every matching row before the page is cut.
    status = django_filters.MultipleChoiceFilter(
        choices=Problem.Status.choices, distinct=False
    )
    severity = django_filters.ChoiceFilter(choices=Problem.Severity.choices)
    source = django_filters.ChoiceFilter(choices=Problem.Source.choices)

    class Meta:
        model = Problem
        fields = [
            "estate",
            "community",
            "building",
            "category",
            "status",
            "severity",
            "source",
        ]


class PhotoFilter(django_filters.FilterSet):
    estate = IntegerFilter(field_name="estate_id")
    building = IntegerFilter(field_name="building_id")
    problem = IntegerFilter(field_name="problem_id")
    stage = django_filters.ChoiceFilter(choices=Photo.Stage.choices)
    pair_key = django_filters.CharFilter()

    class Meta:
        model = Photo
        fields = ["estate", "building", "problem", "stage", "pair_key"]


class EstateNeedFilter(django_filters.FilterSet):
    estate = IntegerFilter(field_name="estate_id")
    kind = django_filters.ChoiceFilter(choices=EstateNeed.Kind.choices)

    class Meta:
        model = EstateNeed
        fields = ["estate", "kind"]


class GovernanceBodyFilter(django_filters.FilterSet):
    estate = IntegerFilter(field_name="estate_id")
    kind = django_filters.ChoiceFilter(choices=GovernanceBody.Kind.choices)

    class Meta:
        model = GovernanceBody
        fields = ["estate", "kind"]
