"""Forms of the office staff's order-menu pages. They read and check what was
typed; the services decide (the pages map the services' errors onto them)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Building, Estate
from communities.permissions import estates_visible_to

from .models import Ballot, Campaign, Reply

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EstateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Estate) -> str:
        return f"{obj.name}（{obj.community.name}）"


class BuildingChoiceField(forms.ModelChoiceField):
    """Buildings of one estate: their own names are enough."""

    def label_from_instance(self, obj: Building) -> str:
        return obj.name


def _visible_estates(user):
    return (
        estates_visible_to(user)
        .select_related("community")
        .order_by("community__name", "name")
    )


class CampaignFilterForm(forms.Form):
    """The campaign list's filters (GET); an invalid value is ignored."""

    estate = EstateChoiceField(
        label=_("小区"), queryset=None, required=False, empty_label=_("全部小区")
    )
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("征询标题或小区名称")}
        ),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *Campaign.Status.choices],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = _visible_estates(user)

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "estate": data.get("estate"),
            "search": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
        }


class ReasonForm(forms.Form):
    """Why a campaign or vote is opened, closed or reopened (kept in its log)."""

    reason = forms.CharField(
        label=_("原因"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CampaignCopyForm(forms.Form):
    """Where a copy of a campaign or template goes: an estate, optionally one
    building or one stairwell unit of it."""

    estate = EstateChoiceField(label=_("复制到小区"), queryset=None)
    building = BuildingChoiceField(
        label=_("楼栋"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("全小区"),
        help_text=_("只征询一栋楼时选择；先选小区并点“列出该小区的楼栋”。"),
    )
    unit = forms.IntegerField(
        label=_("单元"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("只征询一个单元时填写（须先选楼栋）。"),
    )
    title = forms.CharField(label=_("新征询标题"), max_length=100, required=False)

    def __init__(self, *args, user, estate: Estate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = _visible_estates(user)
        if estate is not None:
            self.fields["building"].queryset = estate.buildings.order_by("name")


class ReplyForm(forms.Form):
    """The office's answer to one resident's words."""

    status = forms.ChoiceField(
        label=_("答复结果"),
        choices=[(s.value, s.label) for s in Reply.Status if s != Reply.Status.PENDING],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("答复与理由（居民可以看到）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HouseholdSearchForm(forms.Form):
    """Pick a building, then find a household by its room number."""

    building = BuildingChoiceField(
        label=_("楼栋"), queryset=Building.objects.none(), required=False
    )
    number = forms.CharField(
        label=_("房号"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "search", "inputmode": "numeric", "placeholder": "302"}
        ),
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["building"].empty_label = _("请选择楼栋")


class PaperDateForm(forms.Form):
    paper_date = forms.DateField(
        label=_("纸质问卷上的日期"),
        widget=DATE_WIDGET,
        error_messages={"required": _("请填写纸质问卷上的日期。")},
    )


class BallotForm(forms.Form):
    """A paper ballot, possibly cast by a written proxy (委托)."""

    choice = forms.ChoiceField(
        label=_("表决意见"),
        choices=Ballot.Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择同意、反对或弃权。")},
    )
    paper_date = forms.DateField(
        label=_("表决票上的日期"),
        widget=DATE_WIDGET,
        error_messages={"required": _("请填写表决票上的日期。")},
    )
    proxy_name = forms.CharField(
        label=_("受托人姓名（委托投票时填写）"), required=False, max_length=50
    )
    proxy_document = forms.CharField(
        label=_("书面委托书编号或说明"), required=False, max_length=200
    )


class ConsentForm(forms.Form):
    """Whether the owner whose exclusive part the work occupies consents."""

    consented = forms.TypedChoiceField(
        label=_("受影响业主意见"),
        choices=[("1", _("书面同意")), ("0", _("不同意或未签署"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否书面同意。")},
    )
    document = forms.CharField(
        label=_("同意书编号或说明"), required=False, max_length=200
    )


class SlipsForm(forms.Form):
    """Which slips to print: an estate, optionally one building."""

    estate = EstateChoiceField(label=_("小区"), queryset=None)
    building = BuildingChoiceField(
        label=_("楼栋"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("全部楼栋"),
    )

    def __init__(self, *args, user, estate: Estate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = _visible_estates(user)
        if estate is not None:
            self.fields["building"].queryset = estate.buildings.order_by("name")
