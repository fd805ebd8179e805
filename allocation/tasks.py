from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, time_limit=600)
def offer_expire_sweep_task() -> int:
    return services.offer_expire_sweep(timezone.localdate())


@shared_task(acks_late=True, time_limit=600)
def waiting_time_estimates_task(day: str | None = None) -> int:
    """Compute the day's waiting-time estimates once, before anyone opens the waiting list."""
    import datetime as dt

    from .querysets import waiting_time_estimates

    return len(waiting_time_estimates(dt.date.fromisoformat(day) if day else timezone.localdate()))
