from celery import shared_task
from django.conf import settings

from .letters import letter_render


@shared_task(
    acks_late=True,
    soft_time_limit=settings.LETTER_RENDER_TIMEOUT,
    time_limit=settings.LETTER_RENDER_TIMEOUT + 15,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def letter_render_task(letter_id: int) -> str:
    return letter_render(letter_id).status


@shared_task
def ping_task() -> str:
    return "pong"
