from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from baitang.models import User
from baitang.permissions import can_issue_token, can_revoke_token
from baitang.roles import is_street_staff, require_actor


@transaction.atomic
def user_ensure(
    *,
    username: str,
    password: str,
    role: str,
    communities=(),
    party_kind: str = "",
    last_name: str = "",
    first_name: str = "",
    organisation: str = "",
) -> tuple[User, bool]:
    """Create a staff login, or reset an existing one to these values.

    Returns the user and whether it was created.
    """
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
    user.role = role
    user.party_kind = party_kind
    user.last_name = last_name
    user.first_name = first_name
    user.organisation = organisation
    user.is_staff = True
    user.is_active = True
    user.set_password(password)
    user.full_clean()
    user.save()
    user.communities.set(communities)
    return user, created


@transaction.atomic
def api_token_issue(*, user: User, actor) -> Token:
    """Give `user` a new API token. An old one stops working at once."""
    require_actor(actor)
    if not user.is_active:
        raise PermissionDenied(_("该账号已停用，不能签发令牌。"))
    if not can_issue_token(actor, user):
        raise PermissionDenied(_("只有街道办工作人员可以签发 API 令牌。"))
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, user: User, actor) -> bool:
    """Revoke `user`'s API token; returns whether there was one."""
    require_actor(actor)
    if not can_revoke_token(actor, user):
        raise PermissionDenied(_("您只能撤销自己的 API 令牌。"))
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)


@transaction.atomic
def login_lockouts_clear(*, attempts: QuerySet, actor) -> int:
    """Lift the lockouts behind `attempts`: forget every failed login of their
    usernames and from their addresses. Returns how many rows went."""
    require_actor(actor)
    if not is_street_staff(actor):
        raise PermissionDenied(_("只有街道办工作人员可以解除登录锁定。"))
    usernames = {u for u in attempts.values_list("username", flat=True) if u}
    addresses = {a for a in attempts.values_list("ip_address", flat=True) if a}
    deleted, _rows = AccessAttempt.objects.filter(
        Q(username__in=usernames) | Q(ip_address__in=addresses)
    ).delete()
    return deleted
