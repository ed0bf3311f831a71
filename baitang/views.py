from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from baitang import health


@require_GET
@never_cache
def healthz(request):
    database = health.database_is_up()
    broker = health.broker_is_up()
    return JsonResponse(
        {
            "status": "ok" if database and broker else "degraded",
            "database": "up" if database else "down",
            "broker": "up" if broker else "down",
        },
        status=200 if database and broker else 503,
    )


@require_GET
def home(request):
    return render(request, "home.html")
