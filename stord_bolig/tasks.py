import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .letters import letter_render, letter_requeue_stale


@shared_task(
    acks_late=True,
    soft_time_limit=settings.LETTER_RENDER_TIMEOUT,
    time_limit=settings.LETTER_RENDER_TIMEOUT + 15,
    # A lost database connection (PostgreSQL restarting) is retried like a lost broker connection.
    autoretry_for=(ConnectionError, OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def letter_render_task(letter_id: int) -> str:
    return letter_render(letter_id).status


@shared_task(acks_late=True, time_limit=600)
def letter_requeue_task(older_than_seconds: int = 300) -> int:
    return letter_requeue_stale(older_than=dt.timedelta(seconds=older_than_seconds))


@shared_task
def ping_task() -> str:
    return "pong"


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def retention_run_task(today: str | None = None) -> dict:
    """The nightly retention run; its result holds dates and counts only."""
    import datetime as dt

    from .retention import RetentionBusy, retention_run

    try:
        report = retention_run(today=dt.date.fromisoformat(today) if today else None, trigger="schedule", run_by="")
    except RetentionBusy:
        return {"busy": True}
    return report.as_dict()
