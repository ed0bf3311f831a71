"""The order-menu API. Every viewset reads through a *_visible_to selector (see
baitang.api) and writes through surveys.services; deletes go through the
delete services (surveys.services.row_delete), which check the row's state
and remove its files."""

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response as ApiResponse

from baitang.api import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from baitang.pagination import CursorPagination
from baitang.roles import is_office_staff
from communities.api.views import ServiceViewSetMixin
from communities.models import Problem
from surveys import services
from surveys.models import (
    Answer,
    Campaign,
    MeetingDecision,
    MeetingParticipant,
    MeetingPhoto,
    MenuItem,
    Option,
    Question,
    QuestionItem,
    Response,
)
from surveys.permissions import (
    ballots_visible_to,
    campaigns_visible_to,
    can_edit_campaign,
    can_edit_menu,
    can_edit_vote,
    interviews_visible_to,
    meetings_visible_to,
    menu_items_visible_to,
    replies_visible_to,
    responses_visible_to,
    votes_visible_to,
)

from . import filters, serializers


class SurveysServiceMixin(ServiceViewSetMixin):
    """Service refusals are 400 and 403 (see communities.api.views); a delete
    goes through the row's delete service."""

    def perform_destroy(self, instance):
        services.row_delete(row=instance, actor=self.request.user)


def _by_id(model):
    # Related rows listed by id only: ordered by the key, no join for the
    # model's default ordering.
    return model.objects.order_by("id")


# --- The menu -------------------------------------------------------------------------


class MenuItemViewSet(SurveysServiceMixin, ScopedModelViewSet):
    """点单目录: the order menu. Every office worker reads it; the street office
    keeps it. An item used by a campaign or a vote cannot be deleted (set
    is_active to false instead)."""

    visible_to = menu_items_visible_to
    serializer_class = serializers.MenuItemSerializer
    filterset_class = filters.MenuItemFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "sort_order", "unit_cost"]
    ordering = ["kind", "sort_order", "name"]

    def can_edit(self, user, obj) -> bool:
        return can_edit_menu(user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        item = services.menu_item_create(
            name=data.pop("name"), actor=self.request.user, **data
        )
        self._reload(serializer, item)

    def perform_update(self, serializer):
        item = services.menu_item_update(
            item=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, item)

    @extend_schema(
        methods=["POST"],
        request=serializers.PictureUploadSerializer,
        responses=serializers.MenuItemSerializer,
        description="上传示意图（multipart）；文件会被检查并去除所有元数据。",
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses=serializers.MenuItemSerializer,
        description="删除示意图。",
    )
    @action(
        detail=True,
        methods=["post", "delete"],
        url_path="picture",
        parser_classes=[MultiPartParser, FormParser],
    )
    def picture(self, request, pk=None):
        item = self.get_object()
        image_file = None
        if request.method == "POST":
            upload = serializers.PictureUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            image_file = upload.validated_data["image_file"]
        services.menu_item_set_picture(
            item=item, image_file=image_file, actor=request.user
        )
        body = serializers.MenuItemSerializer(
            item, context=self.get_serializer_context()
        ).data
        return ApiResponse(body)


# --- Campaigns ------------------------------------------------------------------------


def _questions():
    return Prefetch(
        "questions",
        queryset=Question.objects.order_by("position").prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("position", "id")),
            Prefetch(
                "items",
                queryset=QuestionItem.objects.select_related("item").order_by(
                    "position", "id"
                ),
            ),
        ),
    )


class CampaignViewSet(SurveysServiceMixin, ScopedModelViewSet):
    """征询 with their questions, options and menu items (read-only here: they
    are edited in the admin while the campaign is a draft). Status changes go
    through POST campaigns/{id}/status/; only a draft can be deleted."""

    visible_to = campaigns_visible_to
    serializer_class = serializers.CampaignSerializer
    filterset_class = filters.CampaignFilter
    search_fields = ["title"]
    ordering_fields = ["id", "opens_at", "closes_at", "response_count"]
    ordering = ["-id"]  # the newest first

    def can_edit(self, user, obj) -> bool:
        return can_edit_campaign(user, obj)

    def optimize(self, queryset):
        return queryset.prefetch_related(_questions())

    def row_figures(self):
        responses = (
            Response.objects.filter(campaign=OuterRef("pk"))
            .order_by()
            .values("campaign")
            .annotate(n=Count("id"))
            .values("n")
        )
        return {"response_count": Coalesce(Subquery(responses), 0)}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        campaign = services.campaign_create(
            estate=data.pop("estate", None),
            building=data.pop("building", None),
            unit=data.pop("unit", None),
            title=data.pop("title"),
            actor=self.request.user,
            **data,
        )
        self._reload(serializer, campaign)

    def perform_update(self, serializer):
        campaign = services.campaign_update(
            campaign=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, campaign)

    @extend_schema(
        request=serializers.CampaignStatusSerializer,
        responses=serializers.CampaignSerializer,
        description="开始、结束或重新开始征询（重新开始须说明原因）；记录操作人、时间和原因。",
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        campaign = self.get_object()
        body = serializers.CampaignStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.campaign_set_status(
            campaign=campaign,
            status=body.validated_data["status"],
            reason=body.validated_data["reason"],
            actor=request.user,
        )
        fresh = self.with_row_figures(self.get_queryset().get(pk=campaign.pk))
        data = serializers.CampaignSerializer(
            fresh, context=self.get_serializer_context()
        ).data
        return ApiResponse(data)


# --- Responses and replies ------------------------------------------------------------


class ResponseViewSet(ScopedReadOnlyViewSet):
    """答卷, with their answers (the big table: cursor pages). The household is
    given as building, stairwell unit and room."""

    visible_to = responses_visible_to
    serializer_class = serializers.ResponseSerializer
    filterset_class = filters.ResponseFilter
    pagination_class = CursorPagination
    ordering_fields = ["id"]
    ordering = ["-id"]  # the newest first

    def optimize(self, queryset):
        answers = Answer.objects.order_by("question_id", "rank", "id")
        return queryset.select_related("household__building").prefetch_related(
            Prefetch("answers", queryset=answers)
        )


def _resident_words(queryset):
    words = Answer.objects.filter(
        response_id=OuterRef("response_id"), question_id=OuterRef("question_id")
    )
    return queryset.annotate(
        resident_text=Subquery(words.values("text")[:1]),
        resident_photo=Subquery(words.values("photo")[:1]),
    )


class ReplyViewSet(
    SurveysServiceMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """意见答复: every resident's text or photo gets an official status and
    reply (全程响应). PATCH with status and text answers one (reply_set); the
    resident sees it on their own link."""

    visible_to = replies_visible_to
    serializer_class = serializers.ReplySerializer
    filterset_class = filters.ReplyFilter
    pagination_class = CursorPagination
    ordering_fields = ["id"]
    ordering = ["-id"]

    def can_edit(self, user, obj) -> bool:
        if obj is None:
            return is_office_staff(user)
        return can_edit_campaign(user, obj.response.campaign)

    def optimize(self, queryset):
        return _resident_words(
            queryset.select_related(
                "response__campaign__estate",
                "response__household__building",
                "question",
            )
        )

    @extend_schema(
        request=serializers.ReplyUpdateSerializer,
        responses=serializers.ReplySerializer,
    )
    def partial_update(self, request, pk=None):
        reply = self.get_object()
        body = serializers.ReplyUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.reply_set(
            response=reply.response,
            question=reply.question,
            status=body.validated_data.get("status", reply.status),
            text=body.validated_data.get("text", reply.text),
            actor=request.user,
        )
        fresh = self.get_queryset().get(pk=reply.pk)
        return ApiResponse(
            serializers.ReplySerializer(
                fresh, context=self.get_serializer_context()
            ).data
        )


# --- Votes ----------------------------------------------------------------------------


class VoteViewSet(SurveysServiceMixin, ScopedModelViewSet):
    """业主表决 under Civil Code Art. 278. A closed vote carries the count stored
    when it closed; GET votes/{id}/ of an open vote counts now. Open and close
    through POST votes/{id}/status/; a draft can be changed or deleted."""

    visible_to = votes_visible_to
    serializer_class = serializers.VoteSerializer
    filterset_class = filters.VoteFilter
    search_fields = ["title"]
    ordering_fields = ["id", "opens_at", "closes_at"]
    ordering = ["-id"]

    def can_edit(self, user, obj) -> bool:
        return can_edit_vote(user, obj)

    def get_serializer_context(self):
        # One vote is counted live (three queries); a list shows stored counts.
        return {**super().get_serializer_context(), "live": self.action != "list"}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        vote = services.vote_create(actor=self.request.user, **data)
        self._reload(serializer, vote)

    def perform_update(self, serializer):
        vote = services.vote_update(
            vote=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, vote)

    @extend_schema(
        request=serializers.VoteStatusSerializer,
        responses=serializers.VoteSerializer,
        description="开始或结束表决；结束时按表决记录的规则计票并保存结果。",
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        vote = self.get_object()
        body = serializers.VoteStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.vote_set_status(
            vote=vote,
            status=body.validated_data["status"],
            reason=body.validated_data["reason"],
            actor=request.user,
        )
        return ApiResponse(
            serializers.VoteSerializer(
                self.get_queryset().get(pk=vote.pk),
                context=self.get_serializer_context(),
            ).data
        )


class BallotViewSet(ScopedReadOnlyViewSet):
    """表决票 (cursor pages). Entered from the phone link or from paper on the
    vote's staff page."""

    visible_to = ballots_visible_to
    serializer_class = serializers.BallotSerializer
    filterset_class = filters.BallotFilter
    pagination_class = CursorPagination
    ordering_fields = ["id"]
    ordering = ["-id"]

    def optimize(self, queryset):
        return queryset.select_related("household__building")


# --- Interviews and meetings ----------------------------------------------------------


class InterviewViewSet(SurveysServiceMixin, ScopedModelViewSet):
    """分层分类访谈, with the menu items and problems (of the same estate) they
    raised."""

    visible_to = interviews_visible_to
    serializer_class = serializers.InterviewSerializer
    filterset_class = filters.InterviewFilter
    search_fields = ["notes", "interviewer"]
    ordering_fields = ["id", "held_on"]
    ordering = ["-id"]

    def optimize(self, queryset):
        return queryset.prefetch_related(
            Prefetch("items", queryset=_by_id(MenuItem)),
            Prefetch("problems", queryset=_by_id(Problem)),
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        interview = services.interview_create(
            estate=data.pop("estate"),
            group=data.pop("group"),
            notes=data.pop("notes"),
            interviewer=data.pop("interviewer"),
            items=data.pop("items", ()),
            problems=data.pop("problems", ()),
            actor=self.request.user,
            **data,
        )
        self._reload(serializer, interview)

    def perform_update(self, serializer):
        interview = services.interview_update(
            interview=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, interview)


class MeetingViewSet(SurveysServiceMixin, ScopedModelViewSet):
    """小院议事庭 with participants, decisions and photos (read-only here;
    they are entered in the admin)."""

    visible_to = meetings_visible_to
    serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilter
    search_fields = ["place", "agenda"]
    ordering_fields = ["id", "held_at"]
    ordering = ["-id"]

    def optimize(self, queryset):
        decisions = MeetingDecision.objects.order_by("id").prefetch_related(
            Prefetch("items", queryset=_by_id(MenuItem)),
            Prefetch("problems", queryset=_by_id(Problem)),
            Prefetch("campaigns", queryset=_by_id(Campaign)),
        )
        return queryset.prefetch_related(
            Prefetch(
                "participants",
                queryset=MeetingParticipant.objects.order_by("role", "id"),
            ),
            Prefetch("decisions", queryset=decisions),
            Prefetch("photos", queryset=MeetingPhoto.objects.order_by("id")),
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        meeting = services.meeting_create(
            estate=data.pop("estate"), actor=self.request.user, **data
        )
        self._reload(serializer, meeting)

    def perform_update(self, serializer):
        meeting = services.meeting_update(
            meeting=serializer.instance,
            actor=self.request.user,
            **serializer.validated_data,
        )
        self._reload(serializer, meeting)
