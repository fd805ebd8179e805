"""The synthetic world behind `make bench` and `make load` builds on an empty database, waiting dates included."""

import datetime as dt

import pytest

from allocation.querysets import waiting_applications
from cases.models import Application, Decision
from reports.world import generate_world

pytestmark = pytest.mark.django_db


def test_generate_world__tiny_world_with_the_waiting_dates_the_triggers_would_keep():
    result = generate_world("tiny", log=lambda _line: None)

    assert result["counts"]["applications"] == 200 and result["counts"]["leases"] == 100
    granted = Decision.objects.filter(outcome="granted").select_related("application")
    assert granted.exists()
    # paused during the bulk load, then refreshed once: the same as the row triggers keep them
    assert all(d.application.waiting_from == d.decided for d in granted)
    assert not Application.objects.filter(decision__isnull=True, waiting_from__isnull=False).exists()
    housed = Application.objects.filter(leases__isnull=False).distinct()
    assert all(app.waiting_until is not None for app in housed if hasattr(app, "decision"))
    assert waiting_applications(dt.date(2026, 11, 25)).count() > 0


def test_bench_machine_speed__times_a_fixed_workload():
    from reports.bench import machine_speed

    speed = machine_speed()

    assert speed["runs"] == 5 and 0 < speed["median_ms"] <= speed["p95_ms"]
