from django.conf import settings


def platform(request):
    return {"platform_title": settings.PLATFORM_TITLE}
