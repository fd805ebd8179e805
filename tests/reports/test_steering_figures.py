"""The dashboard's steering figures are computed at most an hour before they are shown, kept, and say when;
whoever sees the dashboard can have them computed again at once."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from allocation.models import Unit
from reports import figures
from reports.models import SteeringFigures
from reports.tasks import steering_figures_task
from stord_bolig.interchange.service import records_import
from tests.conftest import verified_client
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example.json"


@pytest.fixture
def at_ten():
    """Thursday 26 November 2026, 10:00 in Stord."""
    with time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=OSLO), tick=False) as traveller:
        yield traveller


@pytest.fixture
def register(at_ten):
    records_import(json.loads(EXAMPLE.read_text()))


@pytest.fixture
def management(client, make_user, at_ten):
    client = verified_client(client, make_user("management"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _without_stamp(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "computed_at"}


def test_kept_figures__are_what_computing_them_gives_for_any_years_they_cover(register):
    kept = figures.dashboard_kept(2021, 2026)  # nothing kept yet: computed and kept
    assert _without_stamp(kept) == figures.dashboard(2021, 2026)

    earlier = figures.dashboard_kept(2023, 2025)  # read from the row just kept, not computed again

    assert SteeringFigures.objects.count() == 1
    assert _without_stamp(earlier) == figures.dashboard(2023, 2025)
    assert earlier["so_far"] is None  # a period that ends last year has no year so far
    assert earlier["computed_at"] == kept["computed_at"]


def test_kept_figures__a_period_beyond_those_kept_is_computed(register):
    figures.dashboard_kept(2024, 2026)
    older = figures.dashboard_kept(2019, 2026)
    assert older["years"] == list(range(2019, 2027))
    assert SteeringFigures.objects.count() == 2


def test_dashboard__shows_kept_figures_with_their_time_until_management_computes_them_again(management, at_ten):
    UnitFactory(status=Unit.Status.FREE)
    first = management.get(reverse("reports:dashboard"))
    assert first.context["data"]["free_units"] == 1
    assert "Figures computed 26.11.2026 at 10:00; they are computed again every hour." in " ".join(
        first.content.decode().split()
    )

    UnitFactory(status=Unit.Status.FREE)  # a home freed a minute later
    at_ten.shift(dt.timedelta(minutes=1))
    assert management.get(reverse("reports:dashboard")).context["data"]["free_units"] == 1  # as computed at ten

    response = management.post(reverse("reports:dashboard-refresh"), {"from": 2024, "to": 2026}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("reports:dashboard") + "?from=2024&to=2026"
    assert response.context["data"]["free_units"] == 2
    assert response.context["data"]["years"] == [2024, 2025, 2026]
    assert "The figures have been computed again (26.11.2026 at 10:01)." in response.content.decode()
    # computed again for every period, not only the one on the screen
    assert management.get(reverse("reports:dashboard")).context["data"]["free_units"] == 2  # 2022-2026


def test_kept_figures__an_hour_old_or_from_yesterday_are_computed_again(at_ten):
    figures.dashboard_kept(2022, 2026)
    UnitFactory(status=Unit.Status.FREE)

    at_ten.shift(dt.timedelta(minutes=59))
    assert figures.dashboard_kept(2022, 2026)["free_units"] == 0
    at_ten.shift(dt.timedelta(minutes=2))
    assert figures.dashboard_kept(2022, 2026)["free_units"] == 1

    UnitFactory(status=Unit.Status.FREE)
    at_ten.move_to(dt.datetime(2026, 11, 27, 0, 0, 30, tzinfo=OSLO))  # past midnight: a new day so far
    data = figures.dashboard_kept(2022, 2026)
    assert data["free_units"] == 2
    assert data["so_far"] == dt.date(2026, 11, 27)


def test_dashboard_refresh__is_for_those_who_see_the_dashboard_and_only_by_post(client, make_user, management):
    nav = verified_client(client.__class__(), make_user("nav_advisor"))
    assert nav.post(reverse("reports:dashboard-refresh")).status_code == 403
    assert management.get(reverse("reports:dashboard-refresh")).status_code == 405
    assert not SteeringFigures.objects.exists()


def test_hourly_task__keeps_ten_years_and_forgets_figures_older_than_a_week(at_ten):
    with time_machine.travel(dt.datetime(2026, 11, 18, 10, 0, tzinfo=OSLO), tick=False):
        steering_figures_task.delay()
    assert SteeringFigures.objects.count() == 1

    steering_figures_task.delay()

    kept = SteeringFigures.objects.get()
    assert (kept.year_from, kept.year_to, kept.day) == (2017, 2026, dt.date(2026, 11, 26))
    assert figures.dashboard_kept(2017, 2026)["computed_at"] == kept.computed_at  # served from it
