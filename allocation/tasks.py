from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, time_limit=600)
def offer_expire_sweep_task() -> int:
    return services.offer_expire_sweep(timezone.localdate())
