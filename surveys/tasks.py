from celery import shared_task

from baitang.roles import SYSTEM

from .services import close_due


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
    time_limit=300,
    soft_time_limit=240,
)
def close_due_task() -> int:
    """Close campaigns and votes past their closing time (freezing each vote's
    count); safe to run twice. Returns how many closed."""
    return close_due(actor=SYSTEM)
