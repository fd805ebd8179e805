import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def reminder_sweep_task(today: str | None = None) -> dict:
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    result = services.reminder_sweep(day)
    renewal_cases_open_task.delay(day.isoformat())
    return result


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def renewal_cases_open_task(today: str) -> int:
    return services.renewal_cases_open(dt.date.fromisoformat(today))
