"""API tokens: street office staff issue them to anyone; every login sees and
revokes its own (/account/tokens/)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from baitang import services
from baitang.forms import TokenIssueForm
from baitang.models import User
from baitang.permissions import tokens_visible_to
from baitang.roles import is_street_staff


def _page(request, *, form=None, status=200):
    user = request.user
    street = is_street_staff(user)
    return render(
        request,
        "account/tokens.html",
        {
            "own_token": tokens_visible_to(user).filter(user=user).first(),
            "is_street": street,
            "form": form or (TokenIssueForm() if street else None),
            "tokens": (
                tokens_visible_to(user).order_by("user__username") if street else ()
            ),
        },
        status=status,
    )


@never_cache
@login_required
def token_list(request):
    return _page(request)


@never_cache
@require_POST
@login_required
def token_issue(request):
    if not is_street_staff(request.user):
        raise PermissionDenied
    form = TokenIssueForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    user = form.cleaned_data["user"]
    has_token = tokens_visible_to(request.user).filter(user=user).exists()
    if has_token and not form.cleaned_data["replace"]:
        return render(
            request, "account/token_replace_confirm.html", {"token_user": user}
        )
    try:
        token = services.api_token_issue(user=user, actor=request.user)
    except PermissionDenied as error:
        form.add_error("user", str(error))
        return _page(request, form=form, status=400)
    # The key is shown on this answer only (no redirect: a message would carry
    # it in a cookie), and never_cache keeps it out of every cache.
    return render(request, "account/token_issued.html", {"token": token})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def token_revoke(request, user_id):
    token = get_object_or_404(tokens_visible_to(request.user), user_id=user_id)
    if request.method == "POST":
        services.api_token_revoke(user=token.user, actor=request.user)
        messages.success(
            request, _("已撤销 %(user)s 的 API 令牌。") % {"user": _label(token.user)}
        )
        return redirect("account_tokens")
    return render(request, "account/token_revoke_confirm.html", {"token": token})


def _label(user: User) -> str:
    name = user.get_full_name()
    return f"{name}（{user.username}）" if name else user.username
