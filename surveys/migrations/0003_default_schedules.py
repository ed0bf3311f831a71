from django.db import migrations

from baitang.schedules import ensure_default_schedules
from surveys.schedules import SURVEY_SCHEDULES


def create_default_schedules(apps, schema_editor):
    ensure_default_schedules(
        apps.get_model("django_celery_beat", "PeriodicTask"),
        apps.get_model("django_celery_beat", "CrontabSchedule"),
        SURVEY_SCHEDULES,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_default_menu_items"),
        ("baitang", "0003_default_periodic_tasks"),
    ]

    operations = [
        migrations.RunPython(create_default_schedules, migrations.RunPython.noop),
    ]
