"""System checks of the register's database."""

from django.core.checks import Tags, Warning, register
from django.db import connections

from .models import NAME_COLLATION


@register(Tags.database)
def name_collation_sorts_by_pinyin(app_configs, databases=None, **kwargs):
    """Warn when names fall back to code-point order: migration 0003 creates the
    collation from "C" on a PostgreSQL built without ICU."""
    warnings = []
    for alias in databases or ():
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT collprovider FROM pg_collation WHERE collname = %s",
                [NAME_COLLATION],
            )
            row = cursor.fetchone()
        if row is not None and row[0] != "i":
            warnings.append(
                Warning(
                    f"PostgreSQL ({alias}) has no ICU: names sort by code point, "
                    "not by pinyin, and 10栋 comes before 2栋.",
                    hint="Set DATABASE_URL to a PostgreSQL built with ICU (Debian's "
                    "server is; the embedded one `make run` starts is not) before "
                    "the first migrate.",
                    id="communities.W001",
                )
            )
    return warnings
