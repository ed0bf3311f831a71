from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
    time_limit=120,
    soft_time_limit=100,
)
def clear_expired_sessions_task() -> int:
    """Delete expired login sessions; safe to run twice. Returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
