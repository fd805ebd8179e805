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
    from django.db.models import Count

    from tenancies.models import Lease

    # no household has two homes at once (each has at most one lease in the world)
    assert not Lease.objects.values("household").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_bench_machine_speed__times_a_fixed_workload():
    from reports.bench import machine_speed

    speed = machine_speed()

    assert speed["runs"] == 5 and 0 < speed["median_ms"] <= speed["p95_ms"]


def test_bench_import__a_scaled_document_is_valid_imported_whole_and_rolled_back():
    from cases.models import Household, Person
    from reports.bench import bench_import, scaled_document
    from stord_bolig.interchange.codec import parse_document

    document = scaled_document(60)  # the demo's 25 households, three times over
    parse_document(document)  # valid: fresh refs and national ids for every copy
    assert len(document["households"]) == 75
    assert len({person["national_id"] for person in document["people"]}) == len(document["people"])

    result = bench_import(60, log=lambda _line: None)

    records = sum(len(value) for value in document.values() if isinstance(value, list))
    assert (result["households"], result["records"]) == (75, records)
    assert result["created"] >= records  # decisions and household members are rows of their own
    assert not Household.objects.exists() and not Person.objects.exists()  # the bench's world stays as it was
