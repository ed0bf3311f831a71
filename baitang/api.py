"""What every API endpoint shares: role scoping (pagination is in settings)."""

from rest_framework import permissions, viewsets
from rest_framework.generics import GenericAPIView
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
        return self.optimize(type(self).visible_to(self.request.user))

    def optimize(self, queryset):
        """The place to select_related, annotate or narrow the scoped rows."""
        return queryset


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
