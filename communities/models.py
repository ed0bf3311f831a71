import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import indicators

NON_NEGATIVE = _("不能为负数。")

# Names sort by pinyin with numbers in numeric order ("2栋" before "10栋"); the
# collation is created by migration 0003 (code-point order without ICU).
NAME_COLLATION = "zh_pinyin"


class Community(models.Model):
    """社区: an administrative area with a residents' committee."""

    name = models.CharField(
        _("社区名称"), max_length=50, unique=True, db_collation=NAME_COLLATION
    )
    address = models.CharField(_("社区居委会地址"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("社区")
        verbose_name_plural = _("社区")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Estate(models.Model):
    """小区: the unit that gets renovated, with its register data (三维画像之数据)."""

    class ManagementModel(models.TextChoices):
        PROPERTY_COMPANY = "property_company", _("物业服务企业")
        SELF_MANAGED = "self_managed", _("业主自管")
        COMMUNITY_RUN = "community_run", _("社区托管")
        STATE_FALLBACK = "state_fallback", _("国企兜底")
        NONE = "none", _("无物业")

    community = models.ForeignKey(
        Community,
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        related_name="estates",
    )
    name = models.CharField(_("小区名称"), max_length=100, db_collation=NAME_COLLATION)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    build_year = models.PositiveSmallIntegerField(
        _("建成年代"), help_text=_("以竣工验收年份为准。")
    )
    land_area = models.DecimalField(
        _("占地面积（㎡）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    floor_area = models.DecimalField(
        _("建筑面积（㎡）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    building_count = models.PositiveIntegerField(_("楼栋数"), default=0)
    household_count = models.PositiveIntegerField(_("户数"), default=0)
    resident_count = models.PositiveIntegerField(_("人口"), default=0)
    elderly_60_count = models.PositiveIntegerField(_("60岁以上老人"), default=0)
    elderly_80_count = models.PositiveIntegerField(_("80岁以上老人"), default=0)
    disabled_count = models.PositiveIntegerField(_("残疾人"), default=0)
    children_count = models.PositiveIntegerField(_("儿童（14岁以下）"), default=0)
    low_income_count = models.PositiveIntegerField(_("低保户"), default=0)
    tenant_share = models.DecimalField(
        _("租户占比（%）"), max_digits=5, decimal_places=2, default=0
    )
    management_model = models.CharField(
        _("物业管理情况"),
        max_length=20,
        choices=ManagementModel.choices,
        default=ManagementModel.NONE,
    )
    has_owners_committee = models.BooleanField(_("成立业主委员会"), default=False)
    maintenance_fund = models.DecimalField(
        _("维修资金余额（元）"), max_digits=14, decimal_places=2, default=0
    )
    notes = models.TextField(_("备注"), blank=True)
    is_sample = models.BooleanField(
        _("样例数据"), default=False, help_text=_("演示用的虚构数据，不是真实登记。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["community__name", "name"]
        indexes = [
            models.Index(fields=["build_year"]),
            models.Index(fields=["management_model"]),
            # API lists sorted by name (?ordering=name).
            models.Index(fields=["name"], name="estate_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="estate_unique_name_in_community",
                violation_error_message=_("该社区已有同名小区。"),
            ),
            models.CheckConstraint(
                condition=Q(build_year__gte=1900) & Q(build_year__lte=2100),
                name="estate_build_year_plausible",
                violation_error_message=_("建成年代应在1900年至2100年之间。"),
            ),
            models.CheckConstraint(
                condition=Q(land_area__gte=0) | Q(land_area__isnull=True),
                name="estate_land_area_non_negative",
                violation_error_message=NON_NEGATIVE,
            ),
            models.CheckConstraint(
                condition=Q(floor_area__gte=0) | Q(floor_area__isnull=True),
                name="estate_floor_area_non_negative",
                violation_error_message=NON_NEGATIVE,
            ),
            models.CheckConstraint(
                condition=Q(maintenance_fund__gte=0),
                name="estate_maintenance_fund_non_negative",
                violation_error_message=NON_NEGATIVE,
            ),
            models.CheckConstraint(
                condition=Q(tenant_share__gte=0) & Q(tenant_share__lte=100),
                name="estate_tenant_share_percentage",
                violation_error_message=_("租户占比应在0到100之间。"),
            ),
            models.CheckConstraint(
                condition=Q(elderly_80_count__lte=F("elderly_60_count")),
                name="estate_elderly_80_within_60",
                violation_error_message=_("80岁以上老人数不能多于60岁以上老人数。"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("communities:estate_profile", args=[self.pk])

    def clean(self):
        # Not a field validator: "this year" moves on, a migration must not.
        super().clean()
        this_year = timezone.localdate().year
        if self.build_year is not None and self.build_year > this_year:
            raise ValidationError(
                {
                    "build_year": _("建成年代不能晚于今年（%(year)s年）。")
                    % {"year": this_year}
                },
                code="future_build_year",
            )

    @property
    def age(self) -> int | None:
        if self.build_year is None:
            return None
        return timezone.localdate().year - self.build_year

    @property
    def within_renovation_cutoff(self) -> bool:
        """Old enough for the old-estate programme (settings: cutoff year)."""
        return self.build_year <= settings.REGISTER_BUILD_YEAR_CUTOFF

    @property
    def elderly_share(self):
        """Share of residents aged 60+ in percent (one decimal), or None."""
        return indicators.elderly_share_percent(
            elderly_60=self.elderly_60_count, resident_count=self.resident_count
        )

    @property
    def floor_area_per_household(self):
        return indicators.floor_area_per_household(
            floor_area=self.floor_area, household_count=self.household_count
        )


class Building(models.Model):
    """楼栋."""

    estate = models.ForeignKey(
        Estate,
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="buildings",
    )
    name = models.CharField(_("楼栋名称"), max_length=50, db_collation=NAME_COLLATION)
    storeys = models.PositiveSmallIntegerField(_("层数"), default=1)
    unit_count = models.PositiveSmallIntegerField(_("单元数"), default=1)
    has_elevator = models.BooleanField(_("有电梯"), default=False)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["estate", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name"],
                name="building_unique_name_in_estate",
                violation_error_message=_("该小区已有同名楼栋。"),
            ),
            models.CheckConstraint(
                condition=Q(storeys__gte=1) & Q(unit_count__gte=1),
                name="building_has_storeys_and_units",
                violation_error_message=_("层数和单元数至少为1。"),
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.name}"


class Owner(models.Model):
    """业主. One owner may hold several households; the Civil-Code headcount counts
    such an owner once, and a developer's unsold units together as one."""

    name = models.CharField(_("姓名/名称"), max_length=100, db_collation=NAME_COLLATION)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_developer = models.BooleanField(
        _("开发建设单位"), default=False, help_text=_("未售出房屋的持有者。")
    )
    # The community the owner was entered for: it decides who sees an owner not
    # yet linked to any household. Empty only for owners registered before it
    # was recorded and linked to no household (the street office sees those).
    community = models.ForeignKey(
        Community,
        verbose_name=_("登记社区"),
        on_delete=models.PROTECT,
        related_name="owners",
        null=True,
        help_text=_("为哪个社区登记的业主。"),
    )

    class Meta:
        verbose_name = _("业主")
        verbose_name_plural = _("业主")
        ordering = ["name"]
        indexes = [models.Index(fields=["name", "phone"])]

    def __str__(self):
        return self.name


class Household(models.Model):
    """户: one exclusive unit (专有部分) and who lives there."""

    class AreaBasis(models.TextChoices):
        REGISTERED = "registered", _("不动产登记面积")
        SURVEYED = "surveyed", _("实测面积")
        CONTRACT = "contract", _("合同约定面积")

    class Occupancy(models.TextChoices):
        OWNER_OCCUPIED = "owner", _("业主自住")
        RENTED = "rented", _("出租")
        VACANT = "vacant", _("空置")
        UNSOLD = "unsold", _("未售出")

    building = models.ForeignKey(
        Building,
        verbose_name=_("楼栋"),
        on_delete=models.CASCADE,
        related_name="households",
    )
    unit = models.PositiveSmallIntegerField(_("单元"), default=1)
    number = models.CharField(_("房号"), max_length=20, db_collation=NAME_COLLATION)
    floor = models.SmallIntegerField(_("楼层"), default=1)
    exclusive_area = models.DecimalField(
        _("专有部分面积（㎡）"), max_digits=8, decimal_places=2
    )
    area_basis = models.CharField(
        _("面积依据"),
        max_length=12,
        choices=AreaBasis.choices,
        default=AreaBasis.REGISTERED,
    )
    owners = models.ManyToManyField(
        Owner, verbose_name=_("业主"), related_name="households", blank=True
    )
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    occupancy = models.CharField(
        _("居住情况"),
        max_length=8,
        choices=Occupancy.choices,
        default=Occupancy.OWNER_OCCUPIED,
    )
    resident_count = models.PositiveSmallIntegerField(_("居住人数"), default=0)
    elderly_living_alone = models.BooleanField(_("独居老人"), default=False)
    has_disabled_member = models.BooleanField(_("有残疾人"), default=False)
    has_children = models.BooleanField(_("有儿童"), default=False)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["building", "unit", "number"]
        # The API pages households by id: each filter with that order.
        indexes = [
            models.Index(fields=["occupancy", "id"], name="household_occupancy_id_idx"),
            models.Index(
                fields=["id"],
                condition=Q(elderly_living_alone=True),
                name="household_alone_id_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "number"],
                name="household_unique_number_in_unit",
                violation_error_message=_("该楼栋单元已有相同房号。"),
            ),
            models.CheckConstraint(
                condition=Q(exclusive_area__gt=0),
                name="household_exclusive_area_positive",
                violation_error_message=_("专有部分面积必须大于0。"),
            ),
            models.CheckConstraint(
                condition=Q(unit__gte=1),
                name="household_unit_positive",
                violation_error_message=_("单元号至少为1。"),
            ),
        ]

    def __str__(self):
        return f"{self.building} {self.unit}单元{self.number}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


def shorten(text: str, length: int) -> str:
    """The first `length` characters, with "…" when some were cut."""
    return text if len(text) <= length else f"{text[:length]}…"


def mask_phone(phone: str) -> str:
    """138****5678: enough for a worker to recognise, useless to a harvester."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


class ProblemCategory(models.Model):
    """A kind of pain point (治安, 停车, 环境卫生…): an editable list."""

    name = models.CharField(
        _("类别名称"), max_length=30, unique=True, db_collation=NAME_COLLATION
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Problem(models.Model):
    """痛点: a current problem of an estate (三维画像之问题)."""

    class Severity(models.IntegerChoices):
        MINOR = 1, _("一般")
        SERIOUS = 2, _("较重")
        CRITICAL = 3, _("严重")

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("摸排")
        SURVEY = "survey", _("问卷调查")
        MEETING = "meeting", _("议事会")
        VISIT = "visit", _("回访")

    class Status(models.TextChoices):
        OPEN = "open", _("待解决")
        PLANNED = "planned", _("已列入计划")
        RESOLVED = "resolved", _("已解决")
        RECURRED = "recurred", _("反弹复发")

    estate = models.ForeignKey(
        Estate,
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="problems",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("楼栋"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
    )
    category = models.ForeignKey(
        ProblemCategory,
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    severity = models.PositiveSmallIntegerField(
        _("严重程度"), choices=Severity.choices, default=Severity.MINOR
    )
    description = models.TextField(_("问题描述"))
    source = models.CharField(
        _("来源"), max_length=12, choices=Source.choices, default=Source.INSPECTION
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    reported_on = models.DateField(_("发现日期"), default=timezone.localdate)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    recurred_on = models.DateField(_("复发日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问题（痛点）")
        verbose_name_plural = _("问题（痛点）")
        ordering = ["-reported_on", "-id"]
        indexes = [
            models.Index(fields=["estate", "status"]),
            # The API pages problems by id, also filtered by status.
            models.Index(fields=["status", "id"], name="problem_status_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True)
                | Q(resolved_on__gte=F("reported_on")),
                name="problem_resolved_after_reported",
                violation_error_message=_("解决日期不能早于发现日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.estate} · {self.category}：{shorten(self.description, 20)}"


def status_label(value: str) -> str:
    """A problem status in Chinese; an unknown stored value as it is."""
    try:
        return Problem.Status(value).label
    except ValueError:
        return value or "—"


# Problems that still need work: the overview's "open problems". A planned problem
# already has an answer, so it is not counted.
UNRESOLVED_PROBLEM_STATUSES = (Problem.Status.OPEN, Problem.Status.RECURRED)


class ProblemStatusChange(models.Model):
    """Who moved a problem from one status to another, when and why."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("原状态"), max_length=10)
    to_status = models.CharField(_("新状态"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("问题状态变更")
        verbose_name_plural = _("问题状态变更")
        ordering = ["changed_at", "id"]

    def __str__(self):
        return _("问题 %(problem)s：%(from)s → %(to)s") % {
            "problem": self.problem_id,
            "from": status_label(self.from_status),
            "to": status_label(self.to_status),
        }


class Photo(models.Model):
    """A field photo (三维画像之影像), cleaned of metadata, with two thumbnails."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("改造前")
        DURING = "during", _("改造中")
        AFTER = "after", _("改造后")

    estate = models.ForeignKey(
        Estate, verbose_name=_("小区"), on_delete=models.CASCADE, related_name="photos"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("楼栋"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("问题"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
    )
    stage = models.CharField(
        _("阶段"), max_length=8, choices=Stage.choices, default=Stage.BEFORE
    )
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    pair_key = models.CharField(
        _("对比组"),
        max_length=50,
        blank=True,
        help_text=_("同一位置改造前后的照片填相同的对比组，页面会并排显示。"),
    )
    image = models.ImageField(_("照片"), upload_to="photos/%Y/%m/")
    thumbnail_small = models.ImageField(_("小缩略图"), upload_to="photos/thumbs/")
    thumbnail_large = models.ImageField(_("大缩略图"), upload_to="photos/thumbs/")
    width = models.PositiveIntegerField(_("宽度"), default=0)
    height = models.PositiveIntegerField(_("高度"), default=0)
    taken_on = models.DateField(_("拍摄日期"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["estate", "stage"]),
            # The API pages photos by id, also filtered by pair.
            models.Index(fields=["pair_key", "id"], name="photo_pair_key_id_idx"),
            # The media view finds a photo by any of its stored file names.
            models.Index(fields=["image"], name="photo_image_idx"),
            models.Index(fields=["thumbnail_small"], name="photo_thumbnail_small_idx"),
            models.Index(fields=["thumbnail_large"], name="photo_thumbnail_large_idx"),
        ]

    def __str__(self):
        return self.caption or f"{self.estate} {self.get_stage_display()}"


class EstateNeed(models.Model):
    """A future need of an estate entered by hand (forecasts are computed)."""

    class Kind(models.TextChoices):
        MEAL_POINT = "meal_point", _("长者饭堂/助餐点")
        ELEVATOR = "elevator", _("加装电梯")
        CHARGING = "charging", _("电动车充电桩")
        PARKING = "parking", _("停车位")
        BARRIER_FREE = "barrier_free", _("无障碍通道")
        CHILDCARE = "childcare", _("托育/儿童活动场所")
        OTHER = "other", _("其他")

    estate = models.ForeignKey(
        Estate, verbose_name=_("小区"), on_delete=models.CASCADE, related_name="needs"
    )
    kind = models.CharField(_("需求类型"), max_length=16, choices=Kind.choices)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("未来需求")
        verbose_name_plural = _("未来需求")
        ordering = ["estate", "kind"]
        # The API's order (estate, kind, id).
        indexes = [
            models.Index(
                fields=["estate", "kind", "id"], name="need_estate_kind_id_idx"
            )
        ]

    def __str__(self):
        return f"{self.estate} · {self.get_kind_display()} × {self.quantity}"


class GovernanceBody(models.Model):
    """A self-governance structure of an estate (自治小组, 自管委员会…)."""

    class Kind(models.TextChoices):
        SELF_GOVERNANCE_GROUP = "self_group", _("自治小组")
        SELF_MANAGEMENT_COMMITTEE = "committee", _("自管委员会")
        OWNERS_COMMITTEE = "owners", _("业主委员会")
        DELIBERATION_REPRESENTATIVES = "representatives", _("议事代表")
        LIAISONS = "liaisons", _("楼栋联络员")
        PARTY_CONTACTS = "party", _("党员联系人")

    estate = models.ForeignKey(
        Estate,
        verbose_name=_("小区"),
        on_delete=models.CASCADE,
        related_name="governance_bodies",
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100, db_collation=NAME_COLLATION)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    term_ends_on = models.DateField(_("任期届满"), null=True, blank=True)

    class Meta:
        verbose_name = _("治理组织")
        verbose_name_plural = _("治理组织")
        ordering = ["estate", "kind", "name"]
        indexes = [
            models.Index(
                fields=["estate", "kind", "name"], name="governance_estate_kind_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name"],
                name="governance_body_unique_name_in_estate",
                violation_error_message=_("该小区已有同名治理组织。"),
            ),
            models.CheckConstraint(
                condition=Q(term_ends_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(term_ends_on__gte=F("established_on")),
                name="governance_body_term_after_start",
                violation_error_message=_("任期届满日期不能早于成立日期。"),
            ),
        ]

    def __str__(self):
        return self.name


class GovernanceMember(models.Model):
    body = models.ForeignKey(
        GovernanceBody,
        verbose_name=_("治理组织"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    name = models.CharField(_("姓名"), max_length=50, db_collation=NAME_COLLATION)
    position = models.CharField(_("职务"), max_length=30, default="成员")
    is_party_member = models.BooleanField(_("党员"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    building = models.ForeignKey(
        Building,
        verbose_name=_("所在楼栋"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    term_start = models.DateField(_("任期开始"), null=True, blank=True)
    term_end = models.DateField(_("任期结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("治理组织成员")
        verbose_name_plural = _("治理组织成员")
        ordering = ["body", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=F("term_start")),
                name="governance_member_term_after_start",
                violation_error_message=_("任期结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.position}）"


class RegisterImport(models.Model):
    """One upload of the register workbook: checked (a dry run), then, once its
    uploader confirms, imported, both by Celery tasks while the page shows the
    progress. The file waits under settings.REGISTER_IMPORT_DIR, never in media."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("等待检查")
        CHECKING = "checking", _("正在检查")
        CHECKED = "checked", _("检查通过，待确认")
        REFUSED = "refused", _("文件有错误")
        CONFIRMED = "confirmed", _("等待导入")
        IMPORTING = "importing", _("正在导入")
        DONE = "done", _("已导入")
        FAILED = "failed", _("未能导入")
        CANCELLED = "cancelled", _("已取消")

    class Phase(models.TextChoices):
        READING = "reading", _("读取表格")
        CHECKING = "checking", _("核对登记数据")
        WRITING = "writing", _("写入")

    # A task works on the job in these states; a user has at most one of them.
    RUNNING = (Status.QUEUED, Status.CHECKING, Status.CONFIRMED, Status.IMPORTING)
    # The file is still needed in these states.
    KEEPS_FILE = (*RUNNING, Status.CHECKED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="register_imports",
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    phase = models.CharField(
        _("阶段"), max_length=10, choices=Phase.choices, blank=True
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    rows_read = models.PositiveIntegerField(_("已读取行数"), default=0)
    counts = models.JSONField(_("各表新增、更新、无变化"), default=dict, blank=True)
    errors = models.JSONField(
        _("问题（工作表、行、列、原因）"), default=list, blank=True
    )
    error_total = models.PositiveIntegerField(_("问题总数"), default=0)
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登记表导入")
        verbose_name_plural = _("登记表导入")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by"],
                condition=Q(
                    status__in=["queued", "checking", "confirmed", "importing"]
                ),
                name="register_import_one_running_per_user",
                violation_error_message=_("您已有一个导入正在进行。"),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="register_import_progress_percentage",
            ),
        ]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"

    def get_absolute_url(self):
        return reverse("communities:register_import_job", args=[self.pk])

    @property
    def stored_path(self) -> Path:
        """Where the uploaded workbook waits (the id is a UUID: path-safe)."""
        return Path(settings.REGISTER_IMPORT_DIR) / f"{self.pk}.xlsx"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING


class RegisterExport(models.Model):
    """An export of the register too large to build within a request: a Celery
    task writes the workbook under settings.REGISTER_EXPORT_DIR (never under
    media) while the page shows its progress; only its creator downloads it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已生成")
        FAILED = "failed", _("未能生成")

    # A task works on the job in these states; a user has at most one of them.
    RUNNING = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导出人"),
        on_delete=models.CASCADE,
        related_name="register_exports",
    )
    scope = models.CharField(_("范围"), max_length=100)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_written = models.PositiveIntegerField(_("已写入行数"), default=0)
    file_name = models.CharField(_("文件名"), max_length=255)
    message = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登记表导出")
        verbose_name_plural = _("登记表导出")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by"],
                condition=Q(status__in=["queued", "running"]),
                name="register_export_one_running_per_user",
                violation_error_message=_("您已有一个导出正在生成。"),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="register_export_progress_percentage",
            ),
        ]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"

    def get_absolute_url(self):
        return reverse("communities:estate_export_job", args=[self.pk])

    @property
    def stored_path(self) -> Path:
        """Where the finished workbook waits (the id is a UUID: path-safe)."""
        return Path(settings.REGISTER_EXPORT_DIR) / f"{self.pk}.xlsx"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING
