"""The twelve default problem categories (issue 3). The list stays editable in
the admin; this only makes sure every installation starts with them."""

from django.db import migrations

DEFAULT_CATEGORIES = [
    "治安",
    "停车",
    "环境卫生",
    "管网",
    "消防",
    "道路",
    "房屋安全",
    "无障碍/适老",
    "照明",
    "绿化",
    "违建",
    "其他",
]


def create_default_categories(apps, schema_editor):
    ProblemCategory = apps.get_model("communities", "ProblemCategory")
    for position, name in enumerate(DEFAULT_CATEGORIES, start=1):
        # An office that already renamed or reordered a category keeps its choice.
        ProblemCategory.objects.get_or_create(
            name=name, defaults={"sort_order": position * 10}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_default_categories, migrations.RunPython.noop),
    ]
