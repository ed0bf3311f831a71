from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BaitangConfig(AppConfig):
    name = "baitang"
    verbose_name = _("用户与权限")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from baitang.middleware import mark_session_renewed

        user_logged_in.connect(mark_session_renewed, dispatch_uid="session_renewed")
        from baitang import search  # noqa: F401  (registers the search lookup)
        from baitang.link_models import name_link_models

        name_link_models()
