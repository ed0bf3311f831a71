"""How API lists are cut into pages, at province scale.

Two styles, both `?page_size=` (at most 200, default 50):

- `StandardPagination` (the default): page numbers, for the lists staff browse
  narrowed by filters (estates, buildings, communities, needs, governance
  bodies). `{"count", "count_is_estimate", "next", "previous", "results"}`.
  The count is exact up to `EXACT_COUNT_LIMIT` rows; above, it is PostgreSQL's
  estimate (the planner's, from pg_class statistics; `count_is_estimate:
  true`), so no request counts millions of rows. Whether there is a next page
  never depends on the count.
- `CursorPagination`: opaque `next`/`previous` cursors and no count, for the big
  tables integrations page through (households, owners, problems, photos).
  `{"next", "previous", "results"}`; each page costs the same however deep.
  The view's ordering must be unique and indexed (the primary key).
"""

import json

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet, UniqueConstraint
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# Up to this many rows a list's count is exact.
EXACT_COUNT_LIMIT = 10_000
# Beyond any list: a page or cursor position past it is refused, not sent to
# the database as an offset or id that does not fit its integer types.
LAST_POSITION = 2**62

PAGE_SIZE_DESCRIPTION = _("每页条数（默认 50，最多 200）。")


def planned_rows(queryset: QuerySet) -> int:
    """How many rows PostgreSQL expects the queryset to return (no query run)."""
    counted = queryset.order_by().values("pk")
    sql, params = counted.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def list_count(queryset: QuerySet) -> tuple[int, bool]:
    """(count, is_estimate): exact up to EXACT_COUNT_LIMIT rows (a count that
    stops there), else the planner's estimate, so no request counts millions
    of rows and a planner's misjudgement never hides a small exact count."""
    counted = queryset.order_by().values("pk")[: EXACT_COUNT_LIMIT + 1].count()
    if counted <= EXACT_COUNT_LIMIT:
        return counted, False
    return max(planned_rows(queryset), counted), True


def unique_field_sets(model) -> list[set[str]]:
    """The sets of field names whose values tell the model's rows apart."""
    meta = model._meta
    sets = [{field.name} for field in meta.concrete_fields if field.unique]
    sets += [
        set(constraint.fields)
        for constraint in meta.constraints
        if isinstance(constraint, UniqueConstraint)
        and constraint.fields
        and constraint.condition is None
    ]
    return sets


def with_unique_order(queryset: QuerySet) -> QuerySet:
    """The queryset's order, with the primary key last unless its columns are
    already unique, so rows that tie never move between pages."""
    order = list(queryset.query.order_by or queryset.model._meta.ordering)
    names = set()
    for term in order:
        name = term.lstrip("-") if isinstance(term, str) else ""
        if name == "pk":
            name = queryset.model._meta.pk.name
        try:
            names.add(queryset.model._meta.get_field(name).name)
        except FieldDoesNotExist:
            continue  # an expression, an annotation or a related row's field
    if any(fields <= names for fields in unique_field_sets(queryset.model)):
        return queryset
    return queryset.order_by(*order, "pk")


class StandardPagination(pagination.PageNumberPagination):
    """Page numbers with a count that never scans millions of rows: one query
    for the page (one row more than shown says whether a next page exists), and
    the count only when the page is not the last (see list_count)."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = PAGE_SIZE_DESCRIPTION
    page_query_description = _("页码，从 1 开始。")
    max_page_size = 200
    invalid_page_message = _("无效页码。")
    # The browsable API's numbered links need the exact page total.
    template = None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.number = self.get_page_number(request)
        queryset = with_unique_order(queryset)
        offset = (self.number - 1) * page_size
        rows = list(queryset[offset : offset + page_size + 1])
        self.has_next = len(rows) > page_size
        rows = rows[:page_size]
        if not rows and self.number > 1:
            raise NotFound(self.invalid_page_message)
        if self.has_next:
            self.count, self.count_is_estimate = list_count(queryset)
            # An estimate never claims fewer rows than the pages already seen.
            self.count = max(self.count, offset + len(rows) + 1)
        else:
            self.count, self.count_is_estimate = offset + len(rows), False
        return rows

    def get_page_number(self, request, paginator=None) -> int:
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
        except ValueError:
            raise NotFound(self.invalid_page_message) from None
        if not 1 <= number <= LAST_POSITION // self.max_page_size:
            raise NotFound(self.invalid_page_message)
        return number

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_is_estimate": self.count_is_estimate,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "count_is_estimate", "results"]
        response["properties"] = {
            "count": {
                "type": "integer",
                "example": 123,
                "description": "条数；count_is_estimate 为 true 时是估算值。",
            },
            "count_is_estimate": {
                "type": "boolean",
                "description": "超过一万条时 count 是数据库的统计估算，不逐条计数。",
            },
            **{
                name: response["properties"][name]
                for name in ("next", "previous", "results")
            },
        }
        return response

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class CursorPagination(pagination.CursorPagination):
    """Cursors over the view's unique, indexed ordering: every page is one
    indexed range scan, and no count is taken."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = PAGE_SIZE_DESCRIPTION
    max_page_size = 200
    cursor_query_description = _("翻页游标：取自上一页的 next 或 previous 链接。")
    invalid_cursor_message = _("无效的翻页游标。")
    ordering = "id"
    template = None

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # The position is an id (get_ordering): anything else is no cursor of ours.
        if cursor is not None and cursor.position is not None:
            try:
                position = int(cursor.position)
            except ValueError:
                raise NotFound(self.invalid_cursor_message) from None
            if abs(position) > LAST_POSITION:
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        # A position on a non-unique first column pages by OFFSET among ties.
        if ordering[0].lstrip("-") not in ("id", "pk"):
            raise ImproperlyConfigured(
                f"cursor pagination needs a unique ordering, not {ordering}"
            )
        return ordering

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
