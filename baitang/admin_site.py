"""The staff workplace's admin site: the register first, system settings last.

Django lists apps and models alphabetically, which put five periodic-task
tables above the estate register. Here the apps follow the programme's order
(register, order menu, projects, follow-up), then logins, then one 系统
section holding what only the street office's administrators touch.
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

# Apps in the order staff work through them; apps not named come after these.
APP_ORDER = ["communities", "surveys", "projects", "feedback", "baitang"]
# Apps shown together under one 系统 heading at the end.
SYSTEM_APPS = ["django_celery_beat", "authtoken", "auth"]
# Models of an app in the order staff look for them (others keep the order in
# which their admin registered them).
MODEL_ORDER = {
    "communities": [
        "Community",
        "Estate",
        "Building",
        "Household",
        "Owner",
        "Problem",
        "ProblemCategory",
        "Photo",
        "EstateNeed",
        "GovernanceBody",
        "GovernanceMember",
    ],
}


def _ordered_models(app: dict) -> list[dict]:
    order = MODEL_ORDER.get(app["app_label"], [])
    rank = {name: index for index, name in enumerate(order)}
    # sorted() is stable: unnamed models keep their registration order.
    return sorted(
        app["models"], key=lambda model: rank.get(model["object_name"], len(order))
    )


class WorkplaceAdminSite(AdminSite):
    def get_app_list(self, request, app_label=None):
        apps = list(self._build_app_dict(request, app_label).values())
        for app in apps:
            app["models"] = _ordered_models(app)
        if app_label:
            return apps
        system = [app for app in apps if app["app_label"] in SYSTEM_APPS]
        work = [app for app in apps if app["app_label"] not in SYSTEM_APPS]
        rank = {label: index for index, label in enumerate(APP_ORDER)}
        work.sort(key=lambda app: rank.get(app["app_label"], len(APP_ORDER) - 1))
        if system:
            system.sort(key=lambda app: SYSTEM_APPS.index(app["app_label"]))
            work.append(
                {
                    **system[0],
                    "name": _("系统"),
                    "models": [model for app in system for model in app["models"]],
                }
            )
        return work


class WorkplaceAdminConfig(AdminConfig):
    """django.contrib.admin with the workplace's site (INSTALLED_APPS)."""

    default_site = "baitang.admin_site.WorkplaceAdminSite"
