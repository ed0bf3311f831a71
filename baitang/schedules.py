"""Default periodic tasks. They are created once (by a migration); afterwards
staff own them in the admin (django-celery-beat), so a later start never
overwrites a schedule someone changed."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class DefaultSchedule:
    name: str
    task: str
    minute: str
    hour: str
    description: str
    day_of_week: str = "*"


PLATFORM_SCHEDULES = [
    DefaultSchedule(
        name="清理过期登录会话",
        task="baitang.tasks.clear_expired_sessions_task",
        minute="30",
        hour="3",
        description="每天凌晨清理过期的登录会话。",
    ),
]


def ensure_default_schedules(periodic_task_model, crontab_model, schedules) -> int:
    """Create the missing default periodic tasks; return how many were created.

    Takes the models as arguments so a migration can pass its historical ones.
    """
    created = 0
    for spec in schedules:
        if periodic_task_model.objects.filter(name=spec.name).exists():
            continue
        crontab, _ = crontab_model.objects.get_or_create(
            minute=spec.minute,
            hour=spec.hour,
            day_of_week=spec.day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        periodic_task_model.objects.create(
            name=spec.name,
            task=spec.task,
            crontab=crontab,
            description=spec.description,
            enabled=True,
        )
        created += 1
    return created
