"""Readable names for the link rows of many-to-many fields.

Django creates a model for each many-to-many field without its own `through`
(Household.owners, User.communities…) and prints its rows as
"Household_owners object (3608)" in the admin's delete confirmations. Once
every model is loaded, each such link model gets a Chinese name ("户的业主")
and rows that print both ends ("白藤苑 1栋 1单元101 — 张三").
"""

from django.apps import apps
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def _link_str(source: str, target: str):
    def __str__(link) -> str:
        return f"{getattr(link, source)} — {getattr(link, target)}"

    return __str__


def name_link_models() -> None:
    """Name the auto-created link model of every many-to-many field."""
    for model in apps.get_models():
        for field in model._meta.local_many_to_many:
            link = field.remote_field.through
            if not link._meta.auto_created:
                continue
            name = format_lazy(
                _("{owner}的{field}"),
                owner=model._meta.verbose_name,
                field=field.verbose_name,
            )
            link._meta.verbose_name = name
            link._meta.verbose_name_plural = name
            link.__str__ = _link_str(
                field.m2m_field_name(), field.m2m_reverse_field_name()
            )
