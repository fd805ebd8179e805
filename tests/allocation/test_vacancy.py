"""Vacancy is measured from the unit's status history, which database triggers keep."""

import datetime as dt

import pytest
from django.utils import timezone

from allocation.models import Unit
from allocation.querysets import vacancy_days
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _backdate_last_event(unit, day):
    event = Unit.pgh_event_model.objects.filter(pgh_obj_id=unit.pk).order_by("-pgh_id").first()
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    Unit.pgh_event_model.objects.filter(pk=event.pk).update(pgh_created_at=moment)


def test_vacancy_days__counts_free_days_between_tenancies():
    unit = UnitFactory(status="free", in_stock_from=dt.date(2020, 1, 1))
    _backdate_last_event(unit, dt.date(2026, 1, 1))  # free from 1 January
    Unit.objects.filter(pk=unit.pk).update(status="let")  # bulk update: still recorded by the trigger
    _backdate_last_event(unit, dt.date(2026, 1, 11))  # let from 11 January
    Unit.objects.filter(pk=unit.pk).update(status="free")
    _backdate_last_event(unit, dt.date(2026, 3, 1))  # free again from 1 March
    assert vacancy_days(unit, dt.date(2026, 1, 1), dt.date(2026, 3, 5)) == 10 + 5


def test_vacancy_days__not_counted_outside_the_stock_period():
    unit = UnitFactory(status="free", in_stock_from=dt.date(2026, 1, 5), in_stock_until=dt.date(2026, 1, 9))
    _backdate_last_event(unit, dt.date(2026, 1, 1))
    assert vacancy_days(unit, dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == 5


def test_vacancy_days__maintenance_is_not_vacancy():
    unit = UnitFactory(status="maintenance", in_stock_from=dt.date(2020, 1, 1))
    _backdate_last_event(unit, dt.date(2026, 1, 1))
    assert vacancy_days(unit, dt.date(2026, 1, 1), dt.date(2026, 1, 31)) == 0


def test_vacancy_days__before_the_first_recorded_status_a_home_without_a_tenancy_is_empty():
    from tests.factories import LeaseFactory

    # registered today with an in-stock date long ago: its status history starts today
    unit = UnitFactory(status="free", in_stock_from=dt.date(1999, 1, 1))
    _backdate_last_event(unit, dt.date(2026, 11, 25))
    assert vacancy_days(unit, dt.date(2025, 11, 26), dt.date(2026, 11, 25)) == 365
    LeaseFactory(unit=unit, start=dt.date(2024, 1, 1), end=dt.date(2026, 12, 31), moved_out=dt.date(2026, 4, 8))
    # let until the move-out on 8 April 2026 (that day included), empty after
    assert (
        vacancy_days(unit, dt.date(2025, 11, 26), dt.date(2026, 11, 25))
        == (dt.date(2026, 11, 25) - dt.date(2026, 4, 8)).days
    )


def test_vacancy_days__a_tenant_staying_on_after_the_end_is_not_vacancy_and_the_home_is_let():
    from tenancies.interchange import unit_statuses_refresh
    from tests.factories import LeaseFactory

    unit = UnitFactory(status="free", in_stock_from=dt.date(1999, 1, 1))
    _backdate_last_event(unit, dt.date(2026, 11, 25))
    # ended a year ago, a move-out demand sent, no move-out recorded: the tenant is still there
    LeaseFactory(
        unit=unit, start=dt.date(2023, 12, 12), end=dt.date(2024, 12, 11), move_out_demand_sent=dt.date(2025, 1, 4)
    )

    assert vacancy_days(unit, dt.date(2025, 11, 26), dt.date(2026, 11, 25)) == 0
    unit_statuses_refresh([unit.ref], dt.date(2026, 11, 25))  # as an import sets it
    unit.refresh_from_db()
    assert unit.status == "let"


@pytest.mark.parametrize(
    ("on", "days"),
    [(dt.date(2026, 11, 25), 365), (dt.date(2028, 3, 1), 366), (dt.date(2028, 2, 28), 365)],
)
def test_last_twelve_months__a_year_of_days_up_to_today(on, days):
    from allocation.rules import last_twelve_months

    first, last = last_twelve_months(on)

    assert last == on and (last - first).days + 1 == days


def test_unit_page__a_home_empty_all_year_shows_365_vacant_days(caseworker_client):
    unit = UnitFactory(status="free", in_stock_from=dt.date(1999, 1, 1))
    _backdate_last_event(unit, dt.date(2020, 1, 1))

    response = caseworker_client.get(unit.get_absolute_url(), {"on": "2026-11-25"})

    assert response.context["vacant_days"] == 365


def test_unit_page__a_home_out_of_the_stock_says_so_with_the_date_and_no_status(caseworker_client):
    gone = UnitFactory(status="free", in_stock_from=dt.date(1999, 1, 1), in_stock_until=dt.date(2026, 6, 30))

    html = caseworker_client.get(gone.get_absolute_url(), {"on": "2026-11-25"}).content.decode()
    before = caseworker_client.get(gone.get_absolute_url(), {"on": "2026-06-30"}).content.decode()

    assert 'data-testid="not-in-stock"' in html and "25.11.2026" in html
    assert 'data-testid="unit-status"' not in html  # "free" means nothing for a home no longer let out
    assert 'data-testid="unit-status"' in before and 'data-testid="not-in-stock"' not in before
