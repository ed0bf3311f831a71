from django.db import transaction

from baitang.models import User


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
