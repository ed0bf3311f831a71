"""The register API. Every viewset reads through a *_visible_to selector (see
baitang.api) and writes through communities.services or communities.photos."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from baitang.api import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from baitang.pagination import CursorPagination
from communities import photos, services
from communities.models import GovernanceMember
from communities.permissions import (
    buildings_visible_to,
    can_edit_estate,
    can_see_personal_data,
    communities_visible_to,
    estates_visible_to,
    governance_bodies_visible_to,
    households_visible_to,
    needs_visible_to,
    owners_visible_to,
    photos_visible_to,
    problem_categories_visible_to,
    problems_visible_to,
)
from communities.selectors import open_problem_count, visible_count

from . import filters, serializers

# "Open problems" as the overview page counts them (communities.selectors):
# waiting for a plan, including rebounds; planned ones are already scheduled.


def validation_detail(error: DjangoValidationError, default_field: str | None):
    """A Django ValidationError from a service, as DRF's error body."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(error, "error_dict"):
        return {
            (non_field if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {default_field or non_field: error.messages}


class ServiceViewSetMixin:
    """Service refusals become 400 (ValidationError) and 403 (PermissionDenied);
    deleting register rows is for the street office only."""

    # Where a service error without a field name belongs.
    error_field: str | None = None

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(validation_detail(exc, self.error_field))
        return super().handle_exception(exc)

    def can_edit(self, user, obj) -> bool:
        return can_edit_estate(user, self.estate_of(obj) if obj is not None else None)

    def estate_of(self, obj):
        return obj.estate

    def perform_destroy(self, instance):
        # The delete service checks the rights and removes files after commit.
        services.row_delete(row=instance, actor=self.request.user)

    def _reload(self, serializer, obj):
        # Re-read through the scoped queryset, with its figures, for the response.
        serializer.instance = self.with_row_figures(self.get_queryset().get(pk=obj.pk))


class CommunityViewSet(ScopedReadOnlyViewSet):
    """社区: the street's eight communities (community staff: their own)."""

    visible_to = communities_visible_to
    serializer_class = serializers.CommunitySerializer
    search_fields = ["name"]
    ordering_fields = ["name", "estate_count"]
    ordering = ["name"]

    def row_figures(self):
        estates = estates_visible_to(self.request.user)
        return {"estate_count": visible_count(estates, "community")}


class EstateViewSet(ServiceViewSetMixin, ScopedModelViewSet):
    """小区: the register's estates with their data and derived indicators."""

    visible_to = estates_visible_to
    serializer_class = serializers.EstateSerializer
    filterset_class = filters.EstateFilter
    search_fields = ["name", "address"]
    ordering_fields = [
        "name",
        "build_year",
        "household_count",
        "resident_count",
        "elderly_60_count",
        "open_problem_count",
    ]
    # The unique index estate_unique_name_in_community: a deep page is an index
    # scan, where sorting by the community's name would sort every estate.
    ordering = ["community_id", "name"]

    def estate_of(self, obj):
        return obj

    def optimize(self, queryset):
        return queryset.select_related("community")

    def row_figures(self):
        return {"open_problem_count": open_problem_count()}

    def perform_create(self, serializer):
        estate = services.estate_create(
            actor=self.request.user, **serializer.validated_data
        )
        self._reload(serializer, estate)

    def perform_update(self, serializer):
        estate = services.estate_update(
            estate=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, estate)


class BuildingViewSet(ServiceViewSetMixin, ScopedModelViewSet):
    """楼栋."""

    visible_to = buildings_visible_to
    serializer_class = serializers.BuildingSerializer
    filterset_class = filters.BuildingFilter
    search_fields = ["name", "estate__name"]
    ordering_fields = ["name", "storeys", "household_total"]
    # The unique index building_unique_name_in_estate ("estate" alone would
    # sort by the estate's own ordering, through two joins).
    ordering = ["estate_id", "name"]

    def optimize(self, queryset):
        return queryset.select_related("estate")

    def row_figures(self):
        households = households_visible_to(self.request.user)
        return {"household_total": visible_count(households, "building")}

    def perform_create(self, serializer):
        building = services.building_create(
            actor=self.request.user, **serializer.validated_data
        )
        self._reload(serializer, building)

    def perform_update(self, serializer):
        building = services.building_update(
            building=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, building)


class HouseholdViewSet(ServiceViewSetMixin, ScopedModelViewSet):
    """户. Owner names and full phone numbers only for staff who contact
    residents (can_see_personal_data); others get a masked phone."""

    visible_to = households_visible_to
    filterset_class = filters.HouseholdFilter
    pagination_class = CursorPagination
    search_fields = ["number"]
    # Cursor pages need a unique, indexed order: registration order, or
    # ?ordering=-id for the newest first.
    ordering_fields = ["id"]
    ordering = ["id"]

    def estate_of(self, obj):
        return obj.building.estate

    def personal(self) -> bool:
        return can_see_personal_data(self.request.user)

    def get_serializer_class(self):
        if self.personal():
            return serializers.HouseholdSerializer
        return serializers.HouseholdPublicSerializer

    def optimize(self, queryset):
        queryset = queryset.select_related("building__estate")
        if self.personal():
            queryset = queryset.prefetch_related("owners")
        return queryset

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        household = services.household_create(
            actor=self.request.user, owners=data.pop("owners", ()), **data
        )
        self._reload(serializer, household)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        household = services.household_update(
            household=serializer.instance,
            actor=self.request.user,
            owners=data.pop("owners", None),
            **data,
        )
        self._reload(serializer, household)


class OwnerViewSet(ScopedReadOnlyViewSet):
    """业主: names and phones, for staff allowed to see personal data."""

    visible_to = owners_visible_to
    serializer_class = serializers.OwnerSerializer
    pagination_class = CursorPagination
    search_fields = ["name", "phone"]
    ordering_fields = ["id"]
    ordering = ["id"]

    def optimize(self, queryset):
        if not can_see_personal_data(self.request.user):
            return queryset.none()
        return queryset

    def row_figures(self):
        # Only the households this user sees are counted.
        households = households_visible_to(self.request.user)
        return {"household_total": visible_count(households, "owners")}


class ProblemCategoryViewSet(ScopedReadOnlyViewSet):
    """问题类别: the editable list of problem categories."""

    visible_to = problem_categories_visible_to
    serializer_class = serializers.ProblemCategorySerializer
    pagination_class = None


class ProblemViewSet(ServiceViewSetMixin, ScopedModelViewSet):
    """痛点. Status changes only through POST problems/{id}/status/, which logs
    who, when and why."""

    visible_to = problems_visible_to
    filterset_class = filters.ProblemFilter
    pagination_class = CursorPagination
    search_fields = ["description", "estate__name"]
    ordering_fields = ["id"]
    ordering = ["-id"]  # the newest first

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ProblemDetailSerializer
        if self.action == "set_status":
            return serializers.ProblemStatusSerializer
        return serializers.ProblemSerializer

    def optimize(self, queryset):
        queryset = queryset.select_related("estate", "category")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("status_changes__actor")
        return queryset

    def perform_create(self, serializer):
        problem = services.problem_create(
            actor=self.request.user, **serializer.validated_data
        )
        self._reload(serializer, problem)

    def perform_update(self, serializer):
        problem = services.problem_update(
            problem=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, problem)

    @extend_schema(
        request=serializers.ProblemStatusSerializer,
        responses=serializers.ProblemSerializer,
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        problem = self.get_object()
        serializer = serializers.ProblemStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.problem_set_status(
            problem=problem,
            status=serializer.validated_data["status"],
            reason=serializer.validated_data.get("reason", ""),
            actor=request.user,
        )
        problem.refresh_from_db()
        return Response(
            serializers.ProblemSerializer(problem, context={"request": request}).data
        )


class PhotoViewSet(
    ServiceViewSetMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """现场照片. Upload with a multipart POST; the file is verified, turned
    upright and stripped of all metadata (GPS above all) before it is stored."""

    visible_to = photos_visible_to
    filterset_class = filters.PhotoFilter
    pagination_class = CursorPagination
    search_fields = ["caption", "pair_key"]
    ordering_fields = ["id"]
    ordering = ["-id"]  # the newest first
    parser_classes = [MultiPartParser, FormParser]
    error_field = "image_file"

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.PhotoUploadSerializer
        return serializers.PhotoSerializer

    def optimize(self, queryset):
        return queryset.select_related("estate")

    @extend_schema(
        request=serializers.PhotoUploadSerializer,
        responses={201: serializers.PhotoSerializer},
    )
    def create(self, request, *args, **kwargs):
        upload = serializers.PhotoUploadSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        photo = photos.photo_create(
            estate=data["estate"],
            image_file=data["image_file"],
            actor=request.user,
            stage=data["stage"],
            building=data["building"],
            problem=data["problem"],
            caption=data["caption"],
            pair_key=data["pair_key"],
            taken_on=data["taken_on"],
        )
        body = serializers.PhotoSerializer(
            photo, context=self.get_serializer_context()
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class EstateNeedViewSet(ServiceViewSetMixin, ScopedModelViewSet):
    """未来需求 entered by hand (the computed forecast is on the profile page)."""

    visible_to = needs_visible_to
    serializer_class = serializers.EstateNeedSerializer
    filterset_class = filters.EstateNeedFilter
    ordering_fields = ["kind", "quantity", "created_at"]
    ordering = ["estate_id", "kind", "id"]  # the index need_estate_kind_id_idx

    def perform_create(self, serializer):
        need = services.need_create(
            actor=self.request.user, **serializer.validated_data
        )
        self._reload(serializer, need)

    def perform_update(self, serializer):
        need = services.need_update(
            need=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, need)


class GovernanceBodyViewSet(ServiceViewSetMixin, ScopedModelViewSet):
    """治理组织 (自治小组, 自管委员会, 议事代表, 联络员, 党员联系人) and members."""

    visible_to = governance_bodies_visible_to
    serializer_class = serializers.GovernanceBodySerializer
    filterset_class = filters.GovernanceBodyFilter
    search_fields = ["name"]
    ordering_fields = ["name", "kind"]
    ordering = ["estate_id", "kind", "name"]  # the index governance_estate_kind_idx

    def optimize(self, queryset):
        # By id: the members' default order joins up to the community's name.
        members = GovernanceMember.objects.order_by("id")
        return queryset.prefetch_related(Prefetch("members", queryset=members))

    def perform_create(self, serializer):
        body = services.governance_body_create(
            actor=self.request.user, **serializer.validated_data
        )
        self._reload(serializer, body)

    def perform_update(self, serializer):
        body = services.governance_body_update(
            body=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, body)
