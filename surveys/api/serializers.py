"""Shapes of the order-menu API. Serializers check shape only; the views hand
the validated data to surveys.services, which holds the rules."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from communities.api.serializers import ScopedPrimaryKeyRelatedField
from communities.models import Building, Estate, Problem
from communities.permissions import (
    buildings_visible_to,
    estates_visible_to,
    problems_visible_to,
)
from surveys.models import (
    Answer,
    Ballot,
    Campaign,
    Interview,
    Meeting,
    MeetingDecision,
    MeetingParticipant,
    MeetingPhoto,
    MenuItem,
    Option,
    Question,
    QuestionItem,
    Reply,
    Response,
    Vote,
)
from surveys.permissions import campaigns_visible_to, menu_items_visible_to
from surveys.selectors import vote_result
from surveys.voting import RULE_SETS

# The answers the office gives a resident's words (a reply is never set back to
# pending).
REPLY_ANSWERS = [(s.value, s.label) for s in Reply.Status if s != Reply.Status.PENDING]


# --- The menu -------------------------------------------------------------------------


class MenuItemSerializer(serializers.ModelSerializer):
    picture = serializers.ImageField(
        read_only=True,
        allow_null=True,
        help_text=_("示意图地址；通过 POST menu-items/{id}/picture/ 上传。"),
    )

    class Meta:
        model = MenuItem
        fields = [
            "id",
            "name",
            "kind",
            "national_class",
            "description",
            "picture",
            "unit_cost",
            "cost_unit",
            "scope",
            "needs_vote",
            "vote_matter",
            "pilot_first",
            "micro_project_eligible",
            "micro_project_type",
            "is_active",
            "sort_order",
            "updated_at",
        ]
        # The service checks uniqueness and the constraints, in Chinese.
        validators = []
        extra_kwargs = {"name": {"validators": []}}


class PictureUploadSerializer(serializers.Serializer):
    image_file = serializers.FileField(
        help_text=_("JPEG、PNG、WebP 或 HEIC；定位等元数据会被去除。")
    )


# --- Campaigns ------------------------------------------------------------------------


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "position", "label"]


class QuestionItemSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = QuestionItem
        fields = ["item", "item_name", "position", "cost"]


class QuestionSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)
    items = QuestionItemSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "position",
            "kind",
            "prompt",
            "help_text",
            "required",
            "max_choices",
            "points_budget",
            "cost_budget",
            "max_length",
            "show_if_option",
            "options",
            "items",
        ]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(
        estates_visible_to,
        queryset=Estate.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("小区；不填（null）即为模板，由街道办维护。"),
    )
    building = ScopedPrimaryKeyRelatedField(
        buildings_visible_to,
        queryset=Building.objects.all(),
        allow_null=True,
        required=False,
    )
    response_count = serializers.IntegerField(
        read_only=True, help_text=_("已提交的答卷户数。")
    )
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "estate",
            "building",
            "unit",
            "is_template",
            "title",
            "description",
            "phase",
            "channel",
            "opens_at",
            "closes_at",
            "status",
            "copied_from",
            "created_at",
            "updated_at",
            "response_count",
            "questions",
        ]
        read_only_fields = [
            "is_template",
            "status",
            "copied_from",
            "created_at",
            "updated_at",
        ]
        validators = []


class StatusSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("原因；重新开始已结束的征询时必须填写。"),
    )


class CampaignStatusSerializer(StatusSerializer):
    status = serializers.ChoiceField(choices=Campaign.Status.choices)


class VoteStatusSerializer(StatusSerializer):
    status = serializers.ChoiceField(choices=Vote.Status.choices)


# --- Responses and replies ------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer):
    photo = serializers.ImageField(read_only=True, allow_null=True)

    class Meta:
        model = Answer
        fields = [
            "question",
            "option",
            "item",
            "rank",
            "points",
            "rating",
            "text",
            "photo",
        ]
        read_only_fields = fields


class HouseholdPlaceMixin(serializers.Serializer):
    """Where the household is: building, stairwell unit, room."""

    building = serializers.IntegerField(source="household.building_id", read_only=True)
    building_name = serializers.CharField(
        source="household.building.name", read_only=True
    )
    unit = serializers.IntegerField(source="household.unit", read_only=True)
    room = serializers.CharField(source="household.number", read_only=True)


class ResponseSerializer(HouseholdPlaceMixin, serializers.ModelSerializer):
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "campaign",
            "household",
            "building",
            "building_name",
            "unit",
            "room",
            "channel",
            "entered_by",
            "paper_date",
            "version",
            "submitted_at",
            "updated_at",
            "answers",
        ]
        read_only_fields = fields


class ReplySerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="response.campaign_id", read_only=True)
    household = serializers.IntegerField(source="response.household_id", read_only=True)
    building_name = serializers.CharField(
        source="response.household.building.name", read_only=True
    )
    unit = serializers.IntegerField(source="response.household.unit", read_only=True)
    room = serializers.CharField(source="response.household.number", read_only=True)
    question_prompt = serializers.CharField(source="question.prompt", read_only=True)
    resident_text = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("居民写下的意见。")
    )
    resident_photo = serializers.SerializerMethodField(
        help_text=_("居民上传的照片地址。")
    )

    class Meta:
        model = Reply
        fields = [
            "id",
            "response",
            "campaign",
            "household",
            "building_name",
            "unit",
            "room",
            "question",
            "question_prompt",
            "resident_text",
            "resident_photo",
            "status",
            "text",
            "replied_by",
            "replied_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_resident_photo(self, obj) -> str | None:
        name = getattr(obj, "resident_photo", None)
        if not name:
            return None
        url = Answer._meta.get_field("photo").storage.url(name)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ReplyUpdateSerializer(serializers.Serializer):
    """The office's answer (reply_set checks it and records who and when)."""

    status = serializers.ChoiceField(
        choices=REPLY_ANSWERS,
        help_text=_("答复结果：已采纳、列入后续计划或暂不可行。"),
    )
    text = serializers.CharField(
        max_length=2000,
        allow_blank=True,
        help_text=_("答复与理由，居民会在自己的页面上看到；必须填写。"),
    )


# --- Votes ----------------------------------------------------------------------------


def _decimal(value: Fraction, places: str = "0.01") -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _percent(value: Fraction) -> Decimal:
    return _decimal(value * 100)


class TallySerializer(serializers.Serializer):
    """A vote's count as numbers: areas in ㎡, shares in per cent (rounded to
    two places for display; the pass/fail booleans are decided on exact
    fractions)."""

    frozen = serializers.BooleanField(
        help_text=_("true：表决结束时保存的计票；false：此刻的实时计票。")
    )
    rule_version = serializers.CharField()
    total_area = serializers.DecimalField(max_digits=16, decimal_places=2)
    total_heads = serializers.IntegerField()
    part_area = serializers.DecimalField(max_digits=16, decimal_places=2)
    part_heads = serializers.IntegerField()
    yes_area = serializers.DecimalField(max_digits=16, decimal_places=2)
    yes_heads = serializers.IntegerField()
    no_area = serializers.DecimalField(max_digits=16, decimal_places=2)
    no_heads = serializers.IntegerField()
    part_area_percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    part_heads_percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    yes_area_percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    yes_heads_percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    quorum_area = serializers.BooleanField()
    quorum_heads = serializers.BooleanField()
    approve_area = serializers.BooleanField()
    approve_heads = serializers.BooleanField()
    consent_ok = serializers.BooleanField()
    passed = serializers.BooleanField()
    failed = serializers.ListField(
        child=serializers.CharField(), help_text=_("未达到的条件（文字）。")
    )


def tally_data(result) -> dict:
    """A selectors.VoteResult as TallySerializer's fields."""
    tally = result.tally
    return {
        "frozen": result.frozen,
        "rule_version": tally.rule_version,
        "total_area": _decimal(tally.total_area),
        "total_heads": tally.total_heads,
        "part_area": _decimal(tally.part_area),
        "part_heads": tally.part_heads,
        "yes_area": _decimal(tally.yes_area),
        "yes_heads": tally.yes_heads,
        "no_area": _decimal(tally.no_area),
        "no_heads": tally.no_heads,
        "part_area_percent": _percent(tally.part_area_share),
        "part_heads_percent": _percent(tally.part_heads_share),
        "yes_area_percent": _percent(tally.yes_area_share),
        "yes_heads_percent": _percent(tally.yes_heads_share),
        "quorum_area": tally.quorum_area,
        "quorum_heads": tally.quorum_heads,
        "approve_area": tally.approve_area,
        "approve_heads": tally.approve_heads,
        "consent_ok": tally.consent_ok,
        "passed": tally.passed,
        "failed": list(result.failed),
    }


class VoteSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(
        estates_visible_to, queryset=Estate.objects.all()
    )
    building = ScopedPrimaryKeyRelatedField(
        buildings_visible_to,
        queryset=Building.objects.all(),
        allow_null=True,
        required=False,
    )
    item = ScopedPrimaryKeyRelatedField(
        menu_items_visible_to,
        queryset=MenuItem.objects.all(),
        allow_null=True,
        required=False,
    )
    rule_version = serializers.ChoiceField(
        choices=[(version, rules.title) for version, rules in RULE_SETS.items()],
        required=False,
        help_text=_("适用规则；不填即为今天有效的规则。"),
    )
    result = serializers.SerializerMethodField(
        help_text=_(
            "计票结果。列表中只给出已结束表决保存的计票；"
            "单个表决（GET votes/{id}/）给出此刻的实时计票或已保存的计票。"
        )
    )

    class Meta:
        model = Vote
        fields = [
            "id",
            "estate",
            "building",
            "unit",
            "matter",
            "title",
            "description",
            "item",
            "rule_version",
            "status",
            "opens_at",
            "closes_at",
            "passed",
            "created_at",
            "result",
        ]
        read_only_fields = ["status", "passed", "created_at"]

    @extend_schema_field(TallySerializer(allow_null=True))
    def get_result(self, vote):
        frozen = vote.status == Vote.Status.CLOSED and vote.result
        if frozen or self.context.get("live"):
            return TallySerializer(tally_data(vote_result(vote=vote))).data
        return None


class BallotSerializer(HouseholdPlaceMixin, serializers.ModelSerializer):
    class Meta:
        model = Ballot
        fields = [
            "id",
            "vote",
            "holder_key",
            "household",
            "building",
            "building_name",
            "unit",
            "room",
            "choice",
            "channel",
            "entered_by",
            "paper_date",
            "proxy_name",
            "proxy_document",
            "cast_at",
        ]
        read_only_fields = fields


# --- Interviews and meetings ----------------------------------------------------------


class InterviewSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(
        estates_visible_to, queryset=Estate.objects.all()
    )
    campaign = ScopedPrimaryKeyRelatedField(
        campaigns_visible_to,
        queryset=Campaign.objects.all(),
        allow_null=True,
        required=False,
    )
    items = ScopedPrimaryKeyRelatedField(
        menu_items_visible_to,
        queryset=MenuItem.objects.all(),
        many=True,
        required=False,
    )
    problems = ScopedPrimaryKeyRelatedField(
        problems_visible_to,
        queryset=Problem.objects.all(),
        many=True,
        required=False,
        help_text=_("提到的问题（须属于同一小区）。"),
    )

    class Meta:
        model = Interview
        fields = [
            "id",
            "estate",
            "campaign",
            "group",
            "held_on",
            "interviewer",
            "interviewee_count",
            "notes",
            "items",
            "problems",
            "created_by",
        ]
        read_only_fields = ["created_by"]


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingParticipant
        fields = ["id", "name", "role", "household", "attended"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingDecision
        fields = ["id", "text", "items", "problems", "campaigns"]
        read_only_fields = fields


class MeetingPhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingPhoto
        fields = ["id", "image", "thumbnail", "caption", "created_at"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    estate = ScopedPrimaryKeyRelatedField(
        estates_visible_to, queryset=Estate.objects.all()
    )
    participants = ParticipantSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    photos = MeetingPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "estate",
            "held_at",
            "place",
            "agenda",
            "minutes",
            "other_attendees",
            "participants",
            "decisions",
            "photos",
            "created_by",
        ]
        read_only_fields = ["created_by"]
