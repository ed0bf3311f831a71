"""Search that forgives how a name was typed, as the register importer does.

"藤翠苑（7号）" finds "藤翠苑(7号)", "７栋" finds "7栋", "ＡＢＣ" finds "abc" and
"白藤 二路" finds "白藤二路": both sides are NFKC-normalised (full-width forms
become their half-width ones), lower-cased and stripped of whitespace before
they are compared. The admin's search box, the autocompletes, the API's
`?search=` and the overview's search all go through `search_key` and the
`normalized_icontains` lookup below.
"""

import re
import unicodedata

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Lookup
from django.db.models.constants import LOOKUP_SEP
from rest_framework.filters import SearchFilter

LOOKUP_NAME = "normalized_icontains"
_WHITESPACE = re.compile(r"\s+")


def search_key(text: str) -> str:
    """How searched text is compared: NFKC, lower case, no whitespace."""
    text = unicodedata.normalize("NFKC", text.replace("\x00", ""))
    return _WHITESPACE.sub("", text).lower()


@models.CharField.register_lookup
@models.TextField.register_lookup
class NormalizedIContains(Lookup):
    """`field__normalized_icontains=text`: the field, normalised in SQL as
    `search_key` does in Python, contains the normalised text."""

    lookup_name = LOOKUP_NAME
    prepare_rhs = False

    def process_rhs(self, compiler, connection):
        pattern = connection.ops.prep_for_like_query(search_key(str(self.rhs)))
        return "%s", [f"%{pattern}%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        # PostgreSQL's normalize() needs a UTF-8 database (ours is).
        normalised = f"LOWER(REGEXP_REPLACE(NORMALIZE({lhs}, NFKC), '\\s+', '', 'g'))"
        return f"{normalised} LIKE {rhs}", [*lhs_params, *rhs_params]


def normalized_search_field(model, field_name: str) -> str:
    """A search_fields entry ("name", "estate__name") turned into its
    normalised lookup when it ends on a text field; anything with a prefix
    (^ = @), an explicit lookup or a non-text field is left as it is."""
    if field_name[:1] in ("^", "=", "@"):
        return field_name
    opts = model._meta
    field = None
    for part in field_name.split(LOOKUP_SEP):
        try:
            field = opts.get_field(opts.pk.name if part == "pk" else part)
        except FieldDoesNotExist:
            return field_name  # an explicit lookup, or not a field at all
        if hasattr(field, "path_infos"):
            opts = field.path_infos[-1].to_opts
    if isinstance(field, models.CharField | models.TextField):
        return f"{field_name}{LOOKUP_SEP}{LOOKUP_NAME}"
    return field_name


class NormalizedSearchAdminMixin:
    """ModelAdmin whose search box and autocompletes compare normalised text."""

    def get_search_fields(self, request):
        return [
            normalized_search_field(self.model, str(field))
            for field in super().get_search_fields(request)
        ]


class NormalizedSearchFilter(SearchFilter):
    """DRF's SearchFilter comparing normalised text (`?search=`)."""

    def construct_search(self, field_name, queryset):
        return super().construct_search(
            normalized_search_field(queryset.model, field_name), queryset
        )
