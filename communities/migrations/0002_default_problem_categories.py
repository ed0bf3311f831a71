"""The twelve default problem categories (issue 3). The list stays editable in
the admin; this only makes sure every installation starts with them."""

from django.db import migrations

from baitang.roles import SYSTEM
from communities.services import problem_categories_ensure_defaults


def create_default_categories(apps, schema_editor):
    problem_categories_ensure_defaults(
        apps.get_model("communities", "ProblemCategory"), actor=SYSTEM
    )


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_default_categories, migrations.RunPython.noop),
    ]
