from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BaitangConfig(AppConfig):
    name = "baitang"
    verbose_name = _("用户与权限")
