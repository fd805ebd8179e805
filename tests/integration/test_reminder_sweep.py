"""The scheduled reminder sweep on a real Celery worker: each reminder once, even when the worker is killed."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tenancies.models import Reminder
from tenancies.tasks import reminder_sweep_task
from tests.tenancies.conftest import (
    duplicated_reminders,
    example_document,
    expected_reminders,
    import_example,
    open_reminder_keys,
)

DAY = "2026-11-25"


@pytest.fixture
def example(caseworker):
    import_example(caseworker=caseworker)
    return example_document()


@pytest.mark.django_db(transaction=True)
def test_reminder_sweep_task__queued_twice_creates_each_reminder_once(celery_worker, example, caseworker):
    first = reminder_sweep_task.delay(DAY)
    second = reminder_sweep_task.delay(DAY)

    results = [first.get(timeout=60), second.get(timeout=60)]

    expected = expected_reminders(example, dt.date.fromisoformat(DAY))
    assert open_reminder_keys() == expected
    assert duplicated_reminders() == []
    assert [r["open"] for r in results] == [len(expected), len(expected)]
    assert results[1]["inserted"] == 0  # the second run found everything already there
    assert set(Reminder.objects.values_list("assigned_to", flat=True)) == {caseworker.pk}


@pytest.mark.django_db(transaction=True)
def test_reminder_sweep_task__worker_killed_mid_sweep_then_restarted_leaves_each_reminder_once(celery_worker, example):
    reminder_sweep_task.delay(DAY)
    started = time.monotonic()
    while not Reminder.objects.exists() and time.monotonic() - started < 0.2:
        time.sleep(0.01)
    celery_worker.kill()  # SIGKILL: no clean-up, the message stays unacknowledged
    assert celery_worker.process.returncode is not None
    expected = expected_reminders(example, dt.date.fromisoformat(DAY))
    assert set(open_reminder_keys()) <= set(expected)  # whatever the killed run wrote is correct, if partial

    celery_worker.start()
    # Redis would redeliver the unacknowledged message only after its visibility timeout (an hour),
    # so the next scheduled run is what repairs the day: queue it now.
    reminder_sweep_task.delay(DAY).get(timeout=60)

    assert duplicated_reminders() == []
    assert open_reminder_keys() == expected
