# PLACEHOLDER: replaced by the pages work (overview and profile).
from django.http import Http404


def estate_overview(request):
    raise Http404


def estate_profile(request, pk):
    raise Http404
