"""The waiting columns on a case are kept by the database from its decision and leases, whatever writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from allocation.querysets import waiting_applications
from cases.models import Application, Decision
from tenancies.models import Lease
from tests.factories import ApplicationFactory, DecisionFactory, LeaseFactory

pytestmark = pytest.mark.django_db

DECIDED = dt.date(2026, 10, 1)


def columns(application) -> tuple[dt.date | None, dt.date | None]:
    return tuple(Application.objects.filter(pk=application.pk).values_list("waiting_from", "waiting_until").get())


def waiting_refs(on: dt.date) -> set[str]:
    return set(waiting_applications(on).values_list("ref", flat=True))


def test_waiting__a_case_without_a_decision_is_not_waiting():
    application = ApplicationFactory()
    assert columns(application) == (None, None)
    assert application.ref not in waiting_refs(dt.date(2026, 11, 25))


def test_waiting__a_granted_case_waits_from_the_decision_date_until_its_first_lease_starts():
    decision = DecisionFactory(decided=DECIDED)
    application = decision.application
    assert columns(application) == (DECIDED, None)
    assert application.ref not in waiting_refs(DECIDED - dt.timedelta(days=1))
    assert application.ref in waiting_refs(DECIDED)

    LeaseFactory(application=application, household=application.household, start=dt.date(2026, 12, 1))
    assert columns(application) == (DECIDED, dt.date(2026, 12, 1))
    assert application.ref in waiting_refs(dt.date(2026, 11, 30))
    assert application.ref not in waiting_refs(dt.date(2026, 12, 1))

    # an earlier lease for the same case moves the end; removing it moves it back
    earlier = LeaseFactory(application=application, household=application.household, start=dt.date(2026, 11, 1))
    assert columns(application) == (DECIDED, dt.date(2026, 11, 1))
    earlier.delete()
    assert columns(application) == (DECIDED, dt.date(2026, 12, 1))


def test_waiting__a_refused_or_lapsed_decision():
    refused = DecisionFactory(outcome="refused")
    assert columns(refused.application) == (None, None)

    lapsed = DecisionFactory(decided=DECIDED)
    Decision.objects.filter(pk=lapsed.pk).update(lapsed=dt.date(2026, 11, 10))
    assert columns(lapsed.application) == (DECIDED, dt.date(2026, 11, 10))
    assert lapsed.application.ref in waiting_refs(dt.date(2026, 11, 9))
    assert lapsed.application.ref not in waiting_refs(dt.date(2026, 11, 10))

    # an appeal that reverses a refusal puts the case on the list from the new decision date
    Decision.objects.filter(pk=refused.pk).update(
        outcome="granted", decided=dt.date(2026, 11, 20), notified=dt.date(2026, 11, 21)
    )
    assert columns(refused.application) == (dt.date(2026, 11, 20), None)


def test_waiting__a_stale_python_object_saved_later_cannot_overwrite_the_columns():
    decision = DecisionFactory(decided=DECIDED)
    stale = Application.objects.get(pk=decision.application.pk)  # read before the lease exists
    LeaseFactory(application=stale, household=stale.household, start=dt.date(2026, 11, 15))
    stale.urgency = "A"
    stale.save()  # writes every column from the stale object
    assert columns(stale) == (DECIDED, dt.date(2026, 11, 15))


def test_waiting__bulk_and_raw_sql_writes_keep_them_too():
    decision = DecisionFactory(decided=DECIDED)
    application = decision.application
    unit_lease = LeaseFactory()  # another household's lease, to borrow its unit
    Lease.objects.bulk_create(
        [
            Lease(
                ref="L-BULK",
                unit=unit_lease.unit,
                household=application.household,
                application=application,
                start=dt.date(2028, 1, 1),
                monthly_rent=9000,
            )
        ]
    )
    assert columns(application) == (DECIDED, dt.date(2028, 1, 1))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE tenancies_lease SET start = %s WHERE ref = 'L-BULK'", [dt.date(2028, 2, 1)])
        cursor.execute(
            "UPDATE cases_application SET waiting_from = NULL, waiting_until = NULL WHERE id = %s", [application.pk]
        )
    assert columns(application) == (DECIDED, dt.date(2028, 2, 1))
