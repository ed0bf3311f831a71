from django import forms
from django.utils.translation import gettext_lazy as _

from baitang.models import User


class TokenIssueForm(forms.Form):
    """Street office staff choose whose token to issue."""

    user = forms.ModelChoiceField(
        label=_("用户"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        empty_label=_("请选择用户"),
    )
    # Set on the confirmation step when the user already has a token.
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)
