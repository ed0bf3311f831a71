from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Estate
from .permissions import communities_visible_to
from .selectors import estate_decades


class EstateFilterForm(forms.Form):
    """The street overview's filters (GET). An invalid value is ignored, not fatal:
    the view uses whichever fields validated."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("小区名称或地址")}
        ),
    )
    community = forms.ModelChoiceField(
        label=_("社区"),
        queryset=None,
        required=False,
        empty_label=_("全部社区"),
    )
    decade = forms.TypedChoiceField(
        label=_("建成年代"), required=False, coerce=int, empty_value=None
    )
    cutoff = forms.TypedChoiceField(
        label=_("改造年限"),
        required=False,
        choices=[("", _("全部")), ("1", _("符合")), ("0", _("不符合"))],
        coerce=lambda value: value == "1",
        empty_value=None,
    )
    management = forms.ChoiceField(
        label=_("物业管理情况"),
        required=False,
        choices=[("", _("全部"))] + list(Estate.ManagementModel.choices),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cutoff"].help_text = _("%(year)s年及以前建成") % {
            "year": settings.REGISTER_BUILD_YEAR_CUTOFF
        }
        self.fields["community"].queryset = communities_visible_to(user)
        self.fields["decade"].choices = [("", _("全部年代"))] + [
            (decade, _("%(decade)s年代") % {"decade": decade})
            for decade in estate_decades(user=user)
        ]

    def filters(self) -> dict:
        """Keyword arguments for selectors.estates_filtered from the valid fields."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "community": data.get("community"),
            "decade": data.get("decade"),
            "management_model": data.get("management") or "",
            "search": data.get("q") or "",
            "within_cutoff": data.get("cutoff"),
        }
