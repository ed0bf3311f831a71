from django.db import migrations

from baitang.schedules import PLATFORM_SCHEDULES, ensure_default_schedules


def create_default_schedules(apps, schema_editor):
    ensure_default_schedules(
        apps.get_model("django_celery_beat", "PeriodicTask"),
        apps.get_model("django_celery_beat", "CrontabSchedule"),
        PLATFORM_SCHEDULES,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("baitang", "0002_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(create_default_schedules, migrations.RunPython.noop),
    ]
