"""What every API endpoint shares: role scoping (pagination is in settings)."""

from rest_framework import permissions, viewsets


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


class ScopedViewSetMixin:
    """Every queryset comes from `visible_to(user)`, so no endpoint can forget the
    role scope; objects outside it answer 404, like missing ones."""

    visible_to = None  # a selector: user -> QuerySet
    permission_classes = [CanEditObject]

    def can_edit(self, user, obj) -> bool:
        return False

    def get_queryset(self):
        return self.optimize(type(self).visible_to(self.request.user))

    def optimize(self, queryset):
        return queryset


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
