"""The order menu's default periodic tasks (see baitang.schedules)."""

from baitang.schedules import DefaultSchedule

SURVEY_SCHEDULES = [
    DefaultSchedule(
        name="到期自动结束征询和表决",
        task="surveys.tasks.close_due_task",
        minute="*/5",
        hour="*",
        description="每5分钟结束已过截止时间的征询和业主表决，并固定表决结果。",
    ),
]
