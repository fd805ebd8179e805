"""Estimated waiting times come from the households actually housed in the last 24 months, once a day."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocation.models import WaitingTimeEstimates
from allocation.querysets import waiting_time_estimates
from allocation.tasks import waiting_time_estimates_task
from tests.factories import DecisionFactory, LeaseFactory, UnitFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


def _housed(band: str, bedrooms: int, decided: dt.date, days: int):
    decision = DecisionFactory(application__urgency=band, decided=decided, notified=decided)
    application = decision.application
    LeaseFactory(
        unit=UnitFactory(bedrooms=bedrooms),
        household=application.household,
        application=application,
        start=decided + dt.timedelta(days=days),
        end=None,
    )


def test_estimates__median_days_from_grant_to_home_per_band_and_size_over_24_months():
    _housed("A", 2, dt.date(2026, 1, 5), 30)
    _housed("A", 2, dt.date(2026, 2, 1), 50)
    _housed("A", 2, dt.date(2025, 6, 1), 100)
    _housed("B", 5, dt.date(2025, 3, 1), 200)  # a home with five bedrooms counts as 4+
    _housed("A", 2, dt.date(2023, 1, 1), 10)  # housed in 2023: outside the 24 months

    estimates = waiting_time_estimates(TODAY)

    assert estimates == {("A", 2): {"median_days": 50, "housed": 3}, ("B", 4): {"median_days": 200, "housed": 1}}


def test_estimates__computed_once_a_day_and_kept():
    _housed("A", 2, dt.date(2026, 1, 5), 30)
    first = waiting_time_estimates(TODAY)
    _housed("A", 2, dt.date(2026, 2, 1), 90)

    with CaptureQueriesContext(connection) as queries:
        again = waiting_time_estimates(TODAY)
    assert again == first and len(queries) == 1  # the day's row, not the median again
    tomorrow = waiting_time_estimates(TODAY + dt.timedelta(days=1))
    assert tomorrow[("A", 2)] == {"median_days": 60, "housed": 2}
    assert list(WaitingTimeEstimates.objects.order_by("day").values_list("day", flat=True)) == [
        TODAY,
        TODAY + dt.timedelta(days=1),
    ]


def test_estimates_task__fills_the_day_before_anyone_asks():
    _housed("C", 1, dt.date(2026, 3, 1), 120)
    assert waiting_time_estimates_task(TODAY.isoformat()) == 1
    assert WaitingTimeEstimates.objects.get(day=TODAY).figures == [["C", 1, 120, 1]]


def test_waiting_list__shows_the_estimates(client, make_user):
    from tests.conftest import verified_client

    _housed("A", 3, dt.date(2026, 4, 1), 45)
    response = verified_client(client, make_user("caseworker")).get(reverse("allocation:waiting-list"))
    assert response.status_code == 200
    assert response.context["estimates"] == [{"band": "A", "bedrooms": 3, "median_days": 45, "housed": 1}]
