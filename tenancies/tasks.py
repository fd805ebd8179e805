from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def reminder_sweep_task(today: str | None = None) -> dict:
    import datetime as dt

    return services.reminder_sweep(dt.date.fromisoformat(today) if today else timezone.localdate())
