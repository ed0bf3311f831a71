"""Shapes of the register API. Serializers check shape only; the views hand the
validated data to communities.services, which holds the rules."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.models import (
    Building,
    Community,
    Estate,
    EstateNeed,
    GovernanceBody,
    GovernanceMember,
    Household,
    Owner,
    Photo,
    Problem,
    ProblemCategory,
    ProblemStatusChange,
)
from communities.permissions import (
    buildings_visible_to,
    communities_visible_to,
    estates_visible_to,
    owners_visible_to,
    problem_categories_visible_to,
    problems_visible_to,
)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must be one the requesting user may see; anything else
    reads as "does not exist"."""

    def __init__(self, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return self.selector(request.user)


class CommunitySerializer(serializers.ModelSerializer):
    estate_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Community
        fields = ["id", "name", "address", "notes", "estate_count"]


class EstateSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(
        communities_visible_to, queryset=Community.objects.all()
    )
    community_name = serializers.CharField(source="community.name", read_only=True)
    # Both are null when the register lacks the figures they divide.
    elderly_share = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=_("60岁以上老人占人口的百分比；人口为0时为空。"),
    )
    floor_area_per_household = serializers.DecimalField(
        max_digits=12,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text=_("户均建筑面积（㎡）；缺建筑面积或户数时为空。"),
    )
    age = serializers.IntegerField(read_only=True, help_text=_("房龄（年）。"))
    open_problem_count = serializers.IntegerField(
        read_only=True, help_text=_("待解决（含反弹复发）的问题数。")
    )

    class Meta:
        model = Estate
        fields = [
            "id",
            "community",
            "community_name",
            "name",
            "address",
            "build_year",
            "land_area",
            "floor_area",
            "building_count",
            "household_count",
            "resident_count",
            "elderly_60_count",
            "elderly_80_count",
            "disabled_count",
            "children_count",
            "low_income_count",
            "tenant_share",
            "management_model",
            "has_owners_committee",
            "maintenance_fund",
            "notes",
            "is_sample",
            "elderly_share",
            "floor_area_per_household",
            "age",
            "open_problem_count",
            "created_at",
            "updated_at",
        ]
        # The services check uniqueness and constraints, in Chinese.
        validators = []


class BuildingSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(
        estates_visible_to, queryset=Estate.objects.all()
    )
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    household_total = serializers.IntegerField(
        read_only=True, help_text=_("登记在该楼栋的户数。")
    )

    class Meta:
        model = Building
        fields = [
            "id",
            "estate",
            "estate_name",
            "name",
            "storeys",
            "unit_count",
            "has_elevator",
            "household_total",
        ]
        validators = []


class OwnerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Owner
        fields = ["id", "name", "is_developer"]


HOUSEHOLD_FIELDS = [
    "id",
    "building",
    "estate",
    "unit",
    "number",
    "floor",
    "exclusive_area",
    "area_basis",
    "occupancy",
    "resident_count",
    "elderly_living_alone",
    "has_disabled_member",
    "has_children",
]


class HouseholdPublicSerializer(serializers.ModelSerializer):
    """A household without personal data: no owner names, a masked phone."""

    building = ScopedPrimaryKeyRelatedField(
        buildings_visible_to, queryset=Building.objects.all()
    )
    estate = serializers.IntegerField(source="building.estate_id", read_only=True)
    masked_phone = serializers.CharField(read_only=True)

    class Meta:
        model = Household
        fields = HOUSEHOLD_FIELDS + ["masked_phone"]
        validators = []


class HouseholdSerializer(HouseholdPublicSerializer):
    """A household with its owners and full phone, for staff who contact them."""

    owners = OwnerBriefSerializer(many=True, read_only=True)
    owner_ids = ScopedPrimaryKeyRelatedField(
        owners_visible_to,
        queryset=Owner.objects.all(),
        many=True,
        write_only=True,
        required=False,
        source="owners",
    )

    class Meta(HouseholdPublicSerializer.Meta):
        fields = HOUSEHOLD_FIELDS + [
            "contact_phone",
            "masked_phone",
            "owners",
            "owner_ids",
        ]


class OwnerSerializer(serializers.ModelSerializer):
    household_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = Owner
        fields = [
            "id",
            "name",
            "phone",
            "is_developer",
            "community",
            "household_total",
        ]
        read_only_fields = ["community"]


class ProblemCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProblemCategory
        fields = ["id", "name", "sort_order"]


class ProblemSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(
        estates_visible_to, queryset=Estate.objects.all()
    )
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    building = ScopedPrimaryKeyRelatedField(
        buildings_visible_to,
        queryset=Building.objects.all(),
        required=False,
        allow_null=True,
    )
    category = ScopedPrimaryKeyRelatedField(
        problem_categories_visible_to, queryset=ProblemCategory.objects.all()
    )
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "estate",
            "estate_name",
            "building",
            "category",
            "category_name",
            "severity",
            "description",
            "source",
            "status",
            "reported_on",
            "resolved_on",
            "recurred_on",
            "created_at",
        ]
        # Status and its dates change only through POST …/status/.
        read_only_fields = ["status", "resolved_on", "recurred_on", "created_at"]


class ProblemStatusChangeSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = ProblemStatusChange
        fields = [
            "from_status",
            "to_status",
            "actor",
            "actor_name",
            "reason",
            "changed_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor_name(self, obj) -> str:
        return str(obj.actor) if obj.actor else ""


class ProblemDetailSerializer(ProblemSerializer):
    status_changes = ProblemStatusChangeSerializer(many=True, read_only=True)

    class Meta(ProblemSerializer.Meta):
        fields = ProblemSerializer.Meta.fields + ["status_changes"]


class ProblemStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Problem.Status.choices)
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("变更原因；除把待解决的问题列入计划外，每次变更都必须填写。"),
    )


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Photo
        fields = [
            "id",
            "estate",
            "building",
            "problem",
            "stage",
            "caption",
            "pair_key",
            "image",
            "thumbnail_small",
            "thumbnail_large",
            "width",
            "height",
            "taken_on",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields


class PhotoUploadSerializer(serializers.Serializer):
    """A multipart upload; the file is checked and cleaned by photo_create."""

    estate = ScopedPrimaryKeyRelatedField(
        estates_visible_to, queryset=Estate.objects.all()
    )
    image_file = serializers.FileField(
        help_text=_("JPEG、PNG、WebP 或 HEIC；定位等元数据会被去除。")
    )
    stage = serializers.ChoiceField(
        choices=Photo.Stage.choices, default=Photo.Stage.BEFORE
    )
    building = ScopedPrimaryKeyRelatedField(
        buildings_visible_to,
        queryset=Building.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    problem = ScopedPrimaryKeyRelatedField(
        problems_visible_to,
        queryset=Problem.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    caption = serializers.CharField(max_length=200, required=False, default="")
    pair_key = serializers.CharField(max_length=50, required=False, default="")
    taken_on = serializers.DateField(required=False, allow_null=True, default=None)


class EstateNeedSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(
        estates_visible_to, queryset=Estate.objects.all()
    )

    class Meta:
        model = EstateNeed
        fields = ["id", "estate", "kind", "quantity", "description", "created_at"]


class GovernanceMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = GovernanceMember
        fields = [
            "id",
            "name",
            "position",
            "is_party_member",
            "building",
            "term_start",
            "term_end",
        ]


class GovernanceBodySerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(
        estates_visible_to, queryset=Estate.objects.all()
    )
    members = GovernanceMemberSerializer(many=True, read_only=True)

    class Meta:
        model = GovernanceBody
        fields = [
            "id",
            "estate",
            "kind",
            "name",
            "established_on",
            "term_ends_on",
            "members",
        ]
        validators = []
