from django.conf import settings

from baitang.elder_mode import is_elder_mode
from baitang.roles import is_office_staff


def platform(request):
    user = getattr(request, "user", None)
    return {
        "platform_title": settings.PLATFORM_TITLE,
        "is_office_staff": user is not None and is_office_staff(user),
        "elder": is_elder_mode(request),
    }
