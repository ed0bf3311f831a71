# PLACEHOLDER: replaced by the Excel work (import, template, export).
from django.http import Http404


def register_import(request):
    raise Http404


def register_template(request):
    raise Http404


def register_export(request):
    raise Http404
