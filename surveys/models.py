"""The residents' order menu (居民点单): the menu, consultation campaigns and their
answers, household access codes, owners' votes under Civil Code Art. 278,
stratified interviews and courtyard deliberation meetings."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Building, Estate, Household, Problem

from .voting import MATTERS, RULE_SETS

NON_NEGATIVE = _("不能为负数。")
MATTER_CHOICES = [(number, f"（{number}）{title}") for number, title in MATTERS.items()]


class Scope(models.TextChoices):
    ESTATE = "estate", _("整个小区")
    BUILDING = "building", _("单栋楼")
    UNIT = "unit", _("单个单元")


def scope_label(row) -> str:
    """ "全小区", "3栋" or "3栋 2单元": what a campaign or a vote covers."""
    if row.unit is not None:
        unit = _("%(unit)s单元") % {"unit": row.unit}
        return f"{row.building.name} {unit}"
    if row.building_id is not None:
        return row.building.name
    return str(_("全小区"))


# --- The menu -------------------------------------------------------------------


class MenuItem(models.Model):
    """One dish on the order menu (点单目录): what residents may choose."""

    class Kind(models.TextChoices):
        BASIC = "basic", _("基础普惠项")
        CUSTOM = "custom", _("个性提升项")

    class NationalClass(models.TextChoices):
        BASIC = "basic", _("基础类")
        IMPROVE = "improve", _("完善类")
        UPGRADE = "upgrade", _("提升类")

    class MicroProjectType(models.TextChoices):
        SERVICE = "service", _("服务类")
        GOODS = "goods", _("货物类")
        WORKS = "works", _("工程类")

    name = models.CharField(_("项目名称"), max_length=60, unique=True)
    kind = models.CharField(_("项目类型"), max_length=8, choices=Kind.choices)
    national_class = models.CharField(
        _("国家分类"),
        max_length=8,
        choices=NationalClass.choices,
        help_text=_("国办发〔2020〕23号：基础类、完善类、提升类。"),
    )
    description = models.TextField(_("说明"), blank=True)
    picture = models.ImageField(_("示意图"), upload_to="menu/", blank=True)
    unit_cost = models.DecimalField(
        _("估算单价（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cost_unit = models.CharField(
        _("计价单位"), max_length=20, blank=True, help_text=_("例如：部、栋、㎡、项。")
    )
    scope = models.CharField(
        _("实施范围"), max_length=8, choices=Scope.choices, default=Scope.ESTATE
    )
    needs_vote = models.BooleanField(_("需业主表决"), default=False)
    vote_matter = models.PositiveSmallIntegerField(
        _("表决事项（民法典第278条）"), choices=MATTER_CHOICES, null=True, blank=True
    )
    pilot_first = models.BooleanField(
        _("先试点后推广"), default=False, help_text=_("以点带面、循序渐进。")
    )
    micro_project_eligible = models.BooleanField(_("可申报民生微实事"), default=False)
    micro_project_type = models.CharField(
        _("民生微实事类型"), max_length=8, choices=MicroProjectType.choices, blank=True
    )
    is_active = models.BooleanField(_("在用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("点单项目")
        verbose_name_plural = _("点单目录")
        ordering = ["kind", "sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(needs_vote=True, vote_matter__isnull=False)
                | Q(needs_vote=False, vote_matter__isnull=True),
                name="menu_item_vote_matter_iff_vote",
                violation_error_message=_("需要业主表决的项目必须选择表决事项。"),
            ),
            models.CheckConstraint(
                condition=Q(micro_project_eligible=True, micro_project_type__gt="")
                | Q(micro_project_eligible=False, micro_project_type=""),
                name="menu_item_micro_type_iff_eligible",
                violation_error_message=_(
                    "可申报民生微实事的项目须选择类型，否则不填类型。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0) | Q(unit_cost__isnull=True),
                name="menu_item_unit_cost_non_negative",
                violation_error_message=NON_NEGATIVE,
            ),
        ]

    def __str__(self):
        return self.name


# --- Consultation campaigns (征询) -----------------------------------------------


class Campaign(models.Model):
    """A consultation of an estate, a building or a stairwell unit, before, during
    or after construction. A template has no estate and is only copied."""

    class Phase(models.TextChoices):
        BEFORE = "before", _("施工前")
        DURING = "during", _("施工中")
        AFTER = "after", _("施工后")

    class Channel(models.TextChoices):
        ONLINE = "online", _("线上问卷")
        MEETING = "meeting", _("小院议事庭")
        INTERVIEW = "interview", _("访谈")
        DOOR_TO_DOOR = "door", _("入户征询")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("征询中")
        CLOSED = "closed", _("已结束")

    estate = models.ForeignKey(
        Estate,
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="campaigns",
        null=True,
        blank=True,
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("楼栋"),
        on_delete=models.CASCADE,
        related_name="campaigns",
        null=True,
        blank=True,
    )
    unit = models.PositiveSmallIntegerField(_("单元"), null=True, blank=True)
    is_template = models.BooleanField(_("模板"), default=False)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    phase = models.CharField(
        _("阶段"), max_length=8, choices=Phase.choices, default=Phase.BEFORE
    )
    channel = models.CharField(
        _("方式"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("复制自"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("征询")
        verbose_name_plural = _("征询")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["estate", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_template=True, estate__isnull=True)
                | Q(is_template=False, estate__isnull=False),
                name="campaign_estate_unless_template",
                violation_error_message=_("征询必须选择小区；模板不属于任何小区。"),
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(building__isnull=False),
                name="campaign_unit_needs_building",
                violation_error_message=_("按单元征询时必须选择楼栋。"),
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(unit__gte=1),
                name="campaign_unit_positive",
                violation_error_message=_("单元号至少为1。"),
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="campaign_closes_after_opening",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def scope(self) -> str:
        if self.unit is not None:
            return Scope.UNIT
        if self.building_id is not None:
            return Scope.BUILDING
        return Scope.ESTATE

    @property
    def scope_label(self) -> str:
        return scope_label(self)


class Question(models.Model):
    """One question of a campaign. A conditional question is shown (and accepted)
    only when an earlier question was answered with a given option."""

    class Kind(models.TextChoices):
        MENU_RANK = "menu_rank", _("点单：排序")
        MENU_POINTS = "menu_points", _("点单：积分分配")
        MENU_BUDGET = "menu_budget", _("点单：预算内选择")
        SINGLE = "single", _("单选")
        MULTIPLE = "multiple", _("多选")
        RATING = "rating", _("评分（1–5）")
        TEXT = "text", _("文字意见")
        PHOTO = "photo", _("照片")

    MENU_KINDS = frozenset({Kind.MENU_RANK, Kind.MENU_POINTS, Kind.MENU_BUDGET})
    OPTION_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE})

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("征询"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("题型"), max_length=12, choices=Kind.choices)
    prompt = models.CharField(_("题目"), max_length=200)
    help_text = models.CharField(_("提示"), max_length=300, blank=True)
    required = models.BooleanField(_("必答"), default=False)
    max_choices = models.PositiveSmallIntegerField(
        _("最多选/排几项"), null=True, blank=True
    )
    points_budget = models.PositiveIntegerField(_("可分配积分"), null=True, blank=True)
    cost_budget = models.DecimalField(
        _("预算上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_length = models.PositiveSmallIntegerField(_("字数上限"), default=500)
    show_if_option = models.ForeignKey(
        "Option",
        verbose_name=_("仅当选择此项时显示"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reveals",
    )

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = _("题目")
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "position"],
                name="question_unique_position",
                violation_error_message=_("同一征询中题目序号不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(kind="menu_points", points_budget__gt=0)
                | (~Q(kind="menu_points") & Q(points_budget__isnull=True)),
                name="question_points_budget_iff_points",
                violation_error_message=_("积分分配题必须设定可分配积分。"),
            ),
            models.CheckConstraint(
                condition=Q(kind="menu_budget", cost_budget__gt=0)
                | (~Q(kind="menu_budget") & Q(cost_budget__isnull=True)),
                name="question_cost_budget_iff_budget",
                violation_error_message=_("预算内选择题必须设定预算上限。"),
            ),
            models.CheckConstraint(
                condition=Q(max_length__gte=1) & Q(max_length__lte=2000),
                name="question_max_length_range",
                violation_error_message=_("字数上限应在1到2000之间。"),
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.prompt}"


class Option(models.Model):
    """A choice of a single- or multiple-choice question."""

    question = models.ForeignKey(
        Question,
        verbose_name=_("题目"),
        on_delete=models.CASCADE,
        related_name="options",
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("选项"), max_length=100)

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"],
                name="option_unique_position",
                violation_error_message=_("同一题目中选项序号不能重复。"),
            )
        ]

    def __str__(self):
        return self.label


class QuestionItem(models.Model):
    """A menu item offered by a menu question, with its estimated cost here."""

    question = models.ForeignKey(
        Question, verbose_name=_("题目"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        MenuItem, verbose_name=_("点单项目"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    cost = models.DecimalField(
        _("本小区估算费用（元）"), max_digits=14, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("可选项目")
        verbose_name_plural = _("可选项目")
        ordering = ["question", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "item"],
                name="question_item_unique",
                violation_error_message=_("同一题目中项目不能重复。"),
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0),
                name="question_item_cost_non_negative",
                violation_error_message=NON_NEGATIVE,
            ),
        ]

    def __str__(self):
        return str(self.item)


# --- Household access and responses ---------------------------------------------


class AccessCode(models.Model):
    """A household's way in without an account: printed on a slip with a QR
    code. Reissuing deactivates the old code at once."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("户"),
        on_delete=models.CASCADE,
        related_name="access_codes",
    )
    code = models.CharField(_("访问码"), max_length=24, unique=True)
    is_active = models.BooleanField(_("有效"), default=True)
    issued_at = models.DateTimeField(_("发放时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("住户访问码")
        verbose_name_plural = _("住户访问码")
        ordering = ["household", "-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(is_active=True),
                name="access_code_one_active_per_household",
                violation_error_message=_("每户只能有一个有效的访问码。"),
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, revoked_at__isnull=True)
                | Q(is_active=False, revoked_at__isnull=False),
                name="access_code_revoked_iff_inactive",
                violation_error_message=_("作废的访问码须记录作废时间。"),
            ),
        ]

    def __str__(self):
        return f"{self.household}"


class Response(models.Model):
    """A household's answers to a campaign: one per household, editable until the
    campaign closes; every saved version is kept."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("手机填写")
        PAPER = "paper", _("纸质问卷代填")

    # Indexed by the (campaign, household) unique constraint.
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("征询"),
        on_delete=models.CASCADE,
        related_name="responses",
        db_index=False,
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("户"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    channel = models.CharField(
        _("填写方式"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代填人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    paper_date = models.DateField(_("纸质问卷日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    submitted_at = models.DateTimeField(_("首次提交"), default=timezone.now)
    updated_at = models.DateTimeField(_("最后修改"), default=timezone.now)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["campaign", "household"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"],
                name="response_one_per_household",
                violation_error_message=_("该户已提交过本次征询的答卷。"),
            ),
            models.CheckConstraint(
                condition=Q(channel="online")
                | Q(channel="paper", paper_date__isnull=False),
                name="response_paper_has_date",
                violation_error_message=_("纸质问卷代填须记录问卷日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.household}"


class Answer(models.Model):
    """One piece of a response: a ranked/pointed/chosen menu item, a chosen
    option, a rating, a text or a photo. Stored as rows so results are counted
    in SQL."""

    response = models.ForeignKey(
        Response,
        verbose_name=_("答卷"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    # Indexed by (question, item) and (question, option); the option and
    # item are looked up alone only when a draft's option or an unused menu
    # item is deleted, where a scan is acceptable and every submission's
    # writes are cheaper without two more indexes.
    question = models.ForeignKey(
        Question,
        verbose_name=_("题目"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    option = models.ForeignKey(
        Option,
        verbose_name=_("选项"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    item = models.ForeignKey(
        MenuItem,
        verbose_name=_("点单项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    rank = models.PositiveSmallIntegerField(_("排名"), null=True, blank=True)
    points = models.PositiveIntegerField(_("积分"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    text = models.TextField(_("文字"), blank=True)
    photo = models.ImageField(_("照片"), upload_to="answers/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        ordering = ["response", "question", "rank", "id"]
        indexes = [
            models.Index(fields=["question", "item"]),
            models.Index(fields=["question", "option"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="answer_rating_one_to_five",
                violation_error_message=_("评分应在1到5之间。"),
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1),
                name="answer_rank_positive",
                violation_error_message=_("排名从1开始。"),
            ),
        ]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}"


class ResponseVersion(models.Model):
    """A saved version of a response, as it was submitted (never changed)."""

    # Indexed by the (response, version) unique constraint.
    response = models.ForeignKey(
        Response,
        verbose_name=_("答卷"),
        on_delete=models.CASCADE,
        related_name="versions",
        db_index=False,
    )
    version = models.PositiveIntegerField(_("版本"))
    answers = models.JSONField(_("回答"))
    channel = models.CharField(_("填写方式"), max_length=8)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代填人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    paper_date = models.DateField(_("纸质问卷日期"), null=True, blank=True)
    saved_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    class Meta:
        verbose_name = _("答卷版本")
        verbose_name_plural = _("答卷版本")
        ordering = ["response", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "version"], name="response_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.response_id} v{self.version}"


class Reply(models.Model):
    """The office's official answer to a resident's free text or photo (全程响应),
    shown on the resident's own link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待答复")
        ACCEPTED = "accepted", _("已采纳，纳入改造方案")
        LATER = "later", _("列入后续计划")
        NOT_FEASIBLE = "not_feasible", _("暂不可行")

    # Indexed by the (response, question) unique constraint.
    response = models.ForeignKey(
        Response,
        verbose_name=_("答卷"),
        on_delete=models.CASCADE,
        related_name="replies",
        db_index=False,
    )
    question = models.ForeignKey(
        Question, verbose_name=_("题目"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("答复状态"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    text = models.TextField(_("答复与理由"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("意见答复")
        verbose_name_plural = _("意见答复")
        ordering = ["response", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="reply_one_per_answer"
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | (Q(text__gt="") & Q(replied_at__isnull=False)),
                name="reply_has_reason",
                violation_error_message=_("答复必须写明理由。"),
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()}"


class OpenLink(models.Model):
    """An estate-wide link anyone may open to leave a non-binding opinion."""

    estate = models.OneToOneField(
        Estate,
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="open_link",
    )
    token = models.CharField(_("链接码"), max_length=24, unique=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("小区公开意见链接")
        verbose_name_plural = _("小区公开意见链接")
        ordering = ["estate"]

    def __str__(self):
        return str(self.estate)


class Opinion(models.Model):
    """A non-binding opinion left through an estate's open link: no household,
    no weight, shown apart from the responses."""

    estate = models.ForeignKey(
        Estate,
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="opinions",
    )
    text = models.TextField(_("意见"))
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("公开意见")
        verbose_name_plural = _("公开意见")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["estate", "-created_at"])]

    def __str__(self):
        return self.text[:30]


# --- Owners' votes (Civil Code Art. 278) ----------------------------------------


class Vote(models.Model):
    """An owners' vote on one Art. 278 matter, for an estate, a building or a
    stairwell unit (an elevator retrofit: its building or unit)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("表决中")
        CLOSED = "closed", _("已结束")

    estate = models.ForeignKey(
        Estate, verbose_name=_("小区"), on_delete=models.CASCADE, related_name="votes"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("楼栋"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="votes",
    )
    unit = models.PositiveSmallIntegerField(_("单元"), null=True, blank=True)
    matter = models.PositiveSmallIntegerField(_("表决事项"), choices=MATTER_CHOICES)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("方案说明"), blank=True)
    item = models.ForeignKey(
        MenuItem,
        verbose_name=_("点单项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="votes",
    )
    rule_version = models.CharField(
        _("适用规则"),
        max_length=40,
        choices=[(version, rules.title) for version, rules in RULE_SETS.items()],
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The count as it stood when the vote closed, for the record.
    result = models.JSONField(_("表决结果"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("业主表决")
        verbose_name_plural = _("业主表决")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["estate", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(matter__gte=1) & Q(matter__lte=9),
                name="vote_matter_one_to_nine",
                violation_error_message=_("表决事项应为民法典第278条所列第1至9项。"),
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(building__isnull=False),
                name="vote_unit_needs_building",
                violation_error_message=_("按单元表决时必须选择楼栋。"),
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="vote_closes_after_opening",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def scope_label(self) -> str:
        return scope_label(self)


class Ballot(models.Model):
    """One holder's vote (an owner, a fixed set of co-owners, or the developer
    for all unsold units): it covers every unit the holder has in the vote."""

    class Choice(models.TextChoices):
        YES = "yes", _("同意")
        NO = "no", _("反对")
        ABSTAIN = "abstain", _("弃权")

    class Channel(models.TextChoices):
        ONLINE = "online", _("手机投票")
        PAPER = "paper", _("纸质表决票代录")

    vote = models.ForeignKey(
        Vote, verbose_name=_("表决"), on_delete=models.CASCADE, related_name="ballots"
    )
    holder_key = models.CharField(_("表决权人"), max_length=200)
    household = models.ForeignKey(
        Household,
        verbose_name=_("投票所用房屋"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    choice = models.CharField(_("意见"), max_length=8, choices=Choice.choices)
    channel = models.CharField(
        _("方式"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    paper_date = models.DateField(_("表决票日期"), null=True, blank=True)
    proxy_name = models.CharField(_("受托人"), max_length=50, blank=True)
    proxy_document = models.CharField(
        _("书面委托说明"), max_length=200, blank=True, help_text=_("委托书编号或说明。")
    )
    history = models.JSONField(_("修改记录"), default=list, blank=True)
    cast_at = models.DateTimeField(_("投票时间"), default=timezone.now)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        ordering = ["vote", "cast_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "holder_key"],
                name="ballot_one_per_holder",
                violation_error_message=_("该业主已经投过票。"),
            ),
            models.CheckConstraint(
                condition=Q(channel="online")
                | Q(channel="paper", paper_date__isnull=False),
                name="ballot_paper_has_date",
                violation_error_message=_("纸质表决票须记录日期。"),
            ),
            models.CheckConstraint(
                condition=Q(proxy_name="") | Q(proxy_document__gt=""),
                name="ballot_proxy_has_document",
                violation_error_message=_("委托投票须有书面委托说明。"),
            ),
        ]

    def __str__(self):
        return f"{self.vote} · {self.get_choice_display()}"


class OccupiedConsent(models.Model):
    """The individual consent of an owner whose exclusive part the work (an
    elevator shaft, a landing) would occupy."""

    vote = models.ForeignKey(
        Vote, verbose_name=_("表决"), on_delete=models.CASCADE, related_name="consents"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("受影响房屋"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    holder_key = models.CharField(_("表决权人"), max_length=200)
    consented = models.BooleanField(_("书面同意"), default=False)
    document = models.CharField(_("书面同意说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("受影响业主同意")
        verbose_name_plural = _("受影响业主同意")
        ordering = ["vote", "household"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "household"], name="occupied_consent_one_per_household"
            ),
            models.CheckConstraint(
                condition=Q(consented=False) | Q(document__gt=""),
                name="occupied_consent_documented",
                violation_error_message=_("书面同意须填写同意书说明。"),
            ),
        ]

    def __str__(self):
        return f"{self.household}"


class StatusChange(models.Model):
    """Who opened or closed a campaign or a vote, when and why."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_changes",
    )
    vote = models.ForeignKey(
        Vote,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="status_changes",
    )
    from_status = models.CharField(_("原状态"), max_length=8)
    to_status = models.CharField(_("新状态"), max_length=8)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(campaign__isnull=False, vote__isnull=True)
                | Q(campaign__isnull=True, vote__isnull=False),
                name="status_change_of_campaign_or_vote",
            )
        ]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


# --- Stratified interviews and courtyard meetings --------------------------------


class Interview(models.Model):
    """A stratified interview (分层分类访谈) with one group of residents."""

    class Group(models.TextChoices):
        ELDERLY = "elderly", _("老年人")
        TENANTS = "tenants", _("租户")
        SHOP_OWNERS = "shops", _("商户")
        PARTY_MEMBERS = "party", _("党员")
        DISABLED = "disabled", _("残疾人")
        PARENTS = "parents", _("幼儿家长")
        OTHER = "other", _("其他")

    estate = models.ForeignKey(
        Estate,
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="interviews",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("所属征询"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
    )
    group = models.CharField(_("访谈对象"), max_length=10, choices=Group.choices)
    held_on = models.DateField(_("访谈日期"), default=timezone.localdate)
    interviewer = models.CharField(_("访谈人"), max_length=50)
    interviewee_count = models.PositiveSmallIntegerField(_("受访人数"), default=1)
    notes = models.TextField(_("访谈记录"))
    items = models.ManyToManyField(
        MenuItem, verbose_name=_("提到的点单项目"), blank=True, related_name="+"
    )
    problems = models.ManyToManyField(
        Problem, verbose_name=_("提到的问题"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("分层分类访谈")
        verbose_name_plural = _("分层分类访谈")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interviewee_count__gte=1),
                name="interview_has_interviewees",
                violation_error_message=_("受访人数至少为1。"),
            )
        ]

    def __str__(self):
        return f"{self.estate} · {self.get_group_display()} · {self.held_on}"


class Meeting(models.Model):
    """A courtyard deliberation meeting (小院议事庭)."""

    estate = models.ForeignKey(
        Estate,
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100)
    agenda = models.TextField(_("议题"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    other_attendees = models.PositiveSmallIntegerField(
        _("其他到场居民人数"), default=0, help_text=_("未逐一登记姓名的到场居民。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("小院议事庭")
        verbose_name_plural = _("小院议事庭")
        ordering = ["-held_at", "-id"]

    def __str__(self):
        return f"{self.estate} · {timezone.localtime(self.held_at):%Y-%m-%d}"


class MeetingParticipant(models.Model):
    class Role(models.TextChoices):
        RESIDENT = "resident", _("居民")
        PARTY_MEMBER = "party", _("党员")
        REPRESENTATIVE = "representative", _("议事代表")
        STREET = "street", _("街道办")
        COMMUNITY = "community", _("社区")
        CONSULTANT = "consultant", _("专业咨询机构")
        DESIGNER = "designer", _("设计单位")
        OTHER = "other", _("其他")

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("议事庭"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("身份"), max_length=16, choices=Role.choices)
    household = models.ForeignKey(
        Household,
        verbose_name=_("所住房屋"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attended = models.BooleanField(_("到场"), default=True)

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["meeting", "role", "id"]

    def __str__(self):
        return f"{self.name}（{self.get_role_display()}）"


class MeetingPhoto(models.Model):
    """A meeting photo, cleaned like the register's field photos."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("议事庭"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.ImageField(_("照片"), upload_to="meetings/%Y/%m/")
    thumbnail = models.ImageField(_("缩略图"), upload_to="meetings/thumbs/")
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("议事庭照片")
        verbose_name_plural = _("议事庭照片")
        ordering = ["meeting", "created_at", "id"]

    def __str__(self):
        return self.caption or str(self.meeting)


class MeetingDecision(models.Model):
    """What a meeting decided, linked to the menu items, problems and campaigns
    it concerns."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("议事庭"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    text = models.TextField(_("决定事项"))
    items = models.ManyToManyField(
        MenuItem, verbose_name=_("相关点单项目"), blank=True, related_name="+"
    )
    problems = models.ManyToManyField(
        Problem, verbose_name=_("相关问题"), blank=True, related_name="+"
    )
    campaigns = models.ManyToManyField(
        Campaign, verbose_name=_("相关征询"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("议事决定")
        verbose_name_plural = _("议事决定")
        ordering = ["meeting", "id"]

    def __str__(self):
        return self.text[:30]
