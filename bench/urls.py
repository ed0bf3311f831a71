from django.http import HttpResponse
from django.urls import path

from baitang.urls import urlpatterns as platform_urlpatterns


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("bench/hello", hello), *platform_urlpatterns]
