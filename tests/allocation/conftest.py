"""Helpers for the allocation service and view tests: a pinned "today", waiting cases and free units.

Nothing here is autouse, so the pure rule tests in this folder are unaffected; the service and view
test modules opt in with `pytestmark = pytest.mark.usefixtures("pinned_today")`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from cases.models import Application
from tests.factories import DecisionFactory, HouseholdMemberFactory, UnitFactory

OSLO = ZoneInfo("Europe/Oslo")
TODAY = dt.date(2026, 11, 25)  # a Wednesday
DAY = dt.timedelta(days=1)


@pytest.fixture
def pinned_today():
    """Today is 25 Nov 2026 in Oslo, and service messages are read in English."""
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=OSLO), tick=True) as traveller:
        with translation.override("en"):
            yield traveller


def waiting_case(
    *, urgency: str = "C", decided: dt.date = dt.date(2026, 10, 1), children: tuple[dt.date, ...] = (), **fields
) -> Application:
    """A granted municipal_housing case, waiting; a single adult (needs 0 bedrooms) unless children are given."""
    application_fields = {f"application__{name}": value for name, value in fields.items()}
    decision = DecisionFactory(
        decided=decided, notified=decided + DAY, application__urgency=urgency, **application_fields
    )
    application = decision.application
    for position, birth_date in enumerate(children, start=1):
        HouseholdMemberFactory(
            household=application.household, role="child", position=position, person__birth_date=birth_date
        )
    return application


def free_unit(**fields):
    """A free one-bedroom ordinary flat in stock since 2010: fits a single adult or a couple."""
    return UnitFactory(**{"bedrooms": 1, **fields})


def run_together(*calls: Callable[[], object]) -> list[tuple[str, object]]:
    """Run each call in its own thread, released at the same moment; returns ("ok", value) or ("error", exc).

    Each thread has its own database connection (closed at the end) and the English message catalogue.
    """
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, object] | None] = [None] * len(calls)

    def worker(index: int, call: Callable[[], object]) -> None:
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                results[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the test inspects whatever happened
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results  # type: ignore[return-value]
