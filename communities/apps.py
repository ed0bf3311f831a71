from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("小区登记")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
