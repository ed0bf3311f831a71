"""The order menu (点单目录): the street office keeps it, all office staff read it."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from surveys import services
from surveys.models import MenuItem
from surveys.permissions import can_edit_menu, menu_items_visible_to

from .base import SurveysAdmin, adopt, changed_values, photo_preview


class MenuItemForm(forms.ModelForm):
    """The picture is uploaded here and cleaned by menu_item_set_picture (never
    stored as sent: no EXIF, no GPS)."""

    picture_upload = forms.FileField(
        label=_("上传示意图"),
        required=False,
        help_text=_("支持 JPEG、PNG、WebP、HEIC；上传后自动去除定位等元数据。"),
    )
    remove_picture = forms.BooleanField(label=_("删除示意图"), required=False)

    # Where the picture service's refusals are shown.
    service_fields = {"picture": "picture_upload"}

    class Meta:
        model = MenuItem
        fields = [
            "name",
            "kind",
            "national_class",
            "description",
            "unit_cost",
            "cost_unit",
            "scope",
            "needs_vote",
            "vote_matter",
            "pilot_first",
            "micro_project_eligible",
            "micro_project_type",
            "is_active",
            "sort_order",
        ]


@admin.register(MenuItem)
class MenuItemAdmin(SurveysAdmin):
    visible_to = menu_items_visible_to
    form = MenuItemForm
    ordering = ["kind", "sort_order", "name"]
    list_display = [
        "name",
        "kind",
        "national_class",
        "scope",
        "unit_cost",
        "cost_unit",
        "needs_vote",
        "pilot_first",
        "micro_project_eligible",
        "is_active",
        "sort_order",
    ]
    list_filter = [
        "kind",
        "national_class",
        "needs_vote",
        "micro_project_eligible",
        "is_active",
        "scope",
        "pilot_first",
    ]
    search_fields = ["name", "description"]
    readonly_fields = ["picture_preview"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    ("kind", "national_class"),
                    "description",
                    "picture_preview",
                    "picture_upload",
                    "remove_picture",
                ]
            },
        ),
        (_("费用与范围"), {"fields": [("unit_cost", "cost_unit"), "scope"]}),
        (
            _("决策与资金"),
            {
                "fields": [
                    ("needs_vote", "vote_matter"),
                    "pilot_first",
                    ("micro_project_eligible", "micro_project_type"),
                ]
            },
        ),
        (_("显示"), {"fields": ["is_active", "sort_order"]}),
    ]

    def can_edit(self, user, obj) -> bool:
        return can_edit_menu(user)

    def can_delete(self, user, obj) -> bool:
        return can_edit_menu(user)

    @admin.display(description=_("示意图"))
    def picture_preview(self, obj):
        return photo_preview(obj.picture, large=True)

    def save_model(self, request, obj, form, change):
        names = services.MENU_ITEM_FIELDS | {"name"}
        if change:
            values = changed_values(obj, names, form.changed_data)
            services.menu_item_update(item=obj, actor=request.user, **values)
        else:
            values = changed_values(obj, names, None)
            adopt(obj, services.menu_item_create(actor=request.user, **values))
        upload = form.cleaned_data.get("picture_upload")
        if upload:
            services.menu_item_set_picture(
                item=obj, image_file=upload, actor=request.user
            )
        elif form.cleaned_data.get("remove_picture") and obj.picture:
            services.menu_item_set_picture(
                item=obj, image_file=None, actor=request.user
            )
