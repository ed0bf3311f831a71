"""What every API endpoint shares: role scoping, figures counted for the rows of
a page only, and the error responses in the OpenAPI schema (pagination is in
baitang.pagination)."""

from django.db import models
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.settings import api_settings
from rest_framework.views import APIView


class CanEditObject(permissions.BasePermission):
    """Reads follow the view's scope; writes ask the view's `can_edit`."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.can_edit(request.user, None)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.can_edit(request.user, obj)


def _keeps_scope(permission_classes) -> bool:
    # DRF requires every listed class: extra ones can only narrow the scope.
    return any(
        isinstance(cls, type) and issubclass(cls, CanEditObject)
        for cls in permission_classes or ()
    )


class ScopedViewSetMixin:
    """Every queryset comes from `visible_to(user)`, so no endpoint can forget the
    role scope; objects outside it answer 404, like missing ones.

    Subclasses customise the queryset in `optimize(queryset)` (select_related,
    annotations, narrowing filters), never by overriding `get_queryset`,
    `get_object` or `get_permissions`; `permission_classes` (also per action)
    must keep `CanEditObject`. A class that does otherwise is refused when it is
    defined (the guard of PostHog's `posthog/api/routing.py`).
    """

    visible_to = None  # a selector: user -> QuerySet
    permission_classes = [CanEditObject]
    # Any path segment reaches the view, so an id that is no id ("0.5") is the
    # API's JSON 404, not the site's HTML page (the cost: no ".json" suffix on
    # a detail URL).
    lookup_value_regex = "[^/]+"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fixed = {
            "get_queryset": ScopedViewSetMixin.get_queryset,
            "get_object": GenericAPIView.get_object,
            "get_permissions": APIView.get_permissions,
        }
        for name, original in fixed.items():
            if getattr(cls, name, original) is not original:
                raise TypeError(
                    f"{cls.__qualname__} overrides {name}(), which would bypass the "
                    "role scope: customise the queryset in optimize(queryset)."
                )
        if not _keeps_scope(cls.permission_classes):
            raise TypeError(
                f"{cls.__qualname__}.permission_classes drops CanEditObject: add "
                "classes next to it (they can only narrow), never instead of it."
            )
        # The @action methods (not get_extra_actions(): its getmembers() would
        # read the schema descriptor while the schema class is being imported).
        extras = [
            attr
            for klass in cls.__mro__
            for attr in vars(klass).values()
            if hasattr(attr, "mapping")
            and isinstance(getattr(attr, "kwargs", None), dict)
        ]
        for extra in extras:
            classes = extra.kwargs.get("permission_classes")
            if classes is not None and not _keeps_scope(classes):
                raise TypeError(
                    f"{cls.__qualname__}.{extra.__name__} sets permission_classes "
                    "without CanEditObject."
                )

    def can_edit(self, user, obj) -> bool:
        return False

    def get_queryset(self):
        queryset = self.optimize(type(self).visible_to(self.request.user))
        sorted_by = self._figures_sorted_by()
        return queryset.annotate(**sorted_by) if sorted_by else queryset

    def optimize(self, queryset):
        """The place to select_related, annotate or narrow the scoped rows."""
        return queryset

    def row_figures(self) -> dict:
        """Figures counted over related rows, by name: an expression on the row
        (a Subquery on OuterRef("pk")). They are computed in one query for the
        rows a response shows, not for every row of the list; a client sorting by
        one (listed in `ordering_fields`) makes it part of the list's query."""
        return {}

    def _figures_sorted_by(self) -> dict:
        figures = self.row_figures() if getattr(self, "request", None) else {}
        if not figures:
            return {}
        param = self.request.query_params.get(api_settings.ORDERING_PARAM, "")
        terms = [*param.split(","), *(getattr(self, "ordering", None) or ())]
        sortable = getattr(self, "ordering_fields", None) or ()
        requested = {term.strip().lstrip("-") for term in terms}
        return {
            name: figure
            for name, figure in figures.items()
            if name in requested and name in sortable
        }

    def with_row_figures(self, rows):
        """The row (or rows) with every figure of `row_figures` set: one query
        for all of them, over the primary keys of these rows only."""
        figures = self.row_figures()
        single = isinstance(rows, models.Model)
        items = [rows] if single else list(rows)
        missing = {
            name: figure
            for name, figure in figures.items()
            if any(not hasattr(row, name) for row in items)
        }
        if missing and items:
            model = type(items[0])
            values = {
                pk: figures_of_row
                for pk, *figures_of_row in model._default_manager.filter(
                    pk__in=[row.pk for row in items]
                )
                .order_by()
                .annotate(**missing)
                .values_list("pk", *missing)
            }
            for row in items:
                for name, value in zip(missing, values[row.pk], strict=True):
                    setattr(row, name, value)
        return rows if single else items

    def get_serializer(self, *args, **kwargs):
        if args and args[0] is not None and self.row_figures():
            args = (self.with_row_figures(args[0]), *args[1:])
        return super().get_serializer(*args, **kwargs)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "错误说明。",
}
VALIDATION_ERROR_SCHEMA = {
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": {
                "oneOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "string"},
                ]
            },
        },
        {"type": "array", "items": {"type": "string"}},
    ],
    "description": (
        "字段名 → 错误信息列表（non_field_errors 为不属于单个字段的错误）；"
        "请求无法解析时为 detail。"
    ),
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error answers DRF gives: 400 for bad
    input (bodies, filters, refusals of a service), 401/403 without the right,
    404 for rows outside the scope and for pages or cursors past the end, 415
    for a body in a type the endpoint does not read."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (description, schema) in self._error_responses().items():
            if code not in responses:
                response = self._get_response_for_code(schema, code)
                response["description"] = description
                responses[code] = response
        return responses

    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error_responses(self) -> dict[str, tuple[str, dict]]:
        error = self._component("Error", ERROR_SCHEMA)
        has_body = self.method in ("POST", "PUT", "PATCH")
        has_path_parameter = "{" in self.path
        is_list = self.method == "GET" and self._is_list_view()
        public = all(
            cls is permissions.AllowAny for cls in self.view.permission_classes
        )
        errors = {}
        if (
            has_body
            or self.method == "DELETE"
            or (is_list and self._get_filter_parameters())
        ):
            invalid = self._component("ValidationError", VALIDATION_ERROR_SCHEMA)
            errors["400"] = ("请求有误（字段、筛选条件或业务规则）。", invalid)
        if not public:
            authenticators = self.view.get_authenticators()
            if authenticators and authenticators[0].authenticate_header(None):
                errors["401"] = ("未登录或凭据无效。", error)
            errors["403"] = ("未登录，或无权进行此操作。", error)
        if has_path_parameter or (is_list and self._get_paginator()):
            errors["404"] = ("不存在或无权查看；或页码、翻页游标无效。", error)
        if has_body:
            errors["415"] = ("不支持的请求内容类型。", error)
        return errors
