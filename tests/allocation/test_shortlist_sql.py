"""The SQL shortlist gives exactly what the rules give, for every unit of the example and many dates."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import translation

from allocation import rules
from allocation.models import Unit
from allocation.shortlist_sql import ACCEPTED_OFFER, rank_of, shortlist_sql
from stord_bolig.interchange.codec import parse_document
from stord_bolig.interchange.service import records_import

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example.json"
DATES = [
    dt.date(2024, 6, 30),
    dt.date(2025, 1, 1),
    dt.date(2025, 7, 1),
    dt.date(2025, 12, 31),
    dt.date(2026, 3, 1),
    dt.date(2026, 6, 29),
    dt.date(2026, 11, 19),
    dt.date(2026, 11, 25),
]


def test_shortlist_sql__equals_the_rules_for_every_unit_and_date():
    data = json.loads(EXAMPLE.read_text())
    records_import(data)
    doc = parse_document(data)
    compared = 0
    for unit in Unit.objects.all():
        for on in DATES:
            expected = rules.shortlist(doc, unit.ref, on)
            got = shortlist_sql(unit, on, strict=False)
            assert [(e["application"], e["rank"], e["band"], e["reasons"]) for e in got["shortlist"]] == [
                (e["application"], e["rank"], e["band"], e["reasons"]) for e in expected["shortlist"]
            ], (unit.ref, on)
            assert got["excluded"] == expected["excluded"], (unit.ref, on)
            for entry in expected["shortlist"]:
                assert rank_of(unit, on, entry["application"], strict=False) == (entry["rank"], [])
            for entry in expected["excluded"]:
                assert rank_of(unit, on, entry["application"], strict=False) == (None, entry["reasons"])
            compared += 1
    assert compared == 15 * len(DATES)


def test_shortlist_sql__strict_agrees_with_rank_of_for_every_unit_and_date():
    # The list joins the offer flags once for all cases, rank_of asks per case: both leave out the same
    # cases for the same reasons, accepted offers included.
    records_import(json.loads(EXAMPLE.read_text()))
    seen = set()
    for unit in Unit.objects.all():
        for on in DATES:
            got = shortlist_sql(unit, on)
            for entry in got["shortlist"]:
                assert rank_of(unit, on, entry["application"]) == (entry["rank"], []), (unit.ref, on)
            for entry in got["excluded"]:
                assert rank_of(unit, on, entry["application"]) == (None, entry["reasons"]), (unit.ref, on)
                seen.update(entry["reasons"])
    assert {rules.OPEN_OFFER, ACCEPTED_OFFER} <= seen


def test_a_case_with_a_lease_registered_to_start_later_is_left_out_and_not_offered_another_home(make_user):
    from allocation import services
    from tests.allocation.conftest import TODAY, free_unit, waiting_case
    from tests.factories import LeaseFactory

    unit = free_unit()
    housed_soon = waiting_case()
    lease = LeaseFactory(application=housed_soon, household=housed_soon.household, start=TODAY + dt.timedelta(days=10))
    other = waiting_case()

    listed = shortlist_sql(unit, TODAY)

    assert [entry["application"] for entry in listed["shortlist"]] == [other.ref]
    assert {"application": housed_soon.ref, "reasons": [ACCEPTED_OFFER]} in listed["excluded"]
    assert rank_of(unit, TODAY, housed_soon.ref) == (None, [ACCEPTED_OFFER])
    assert rank_of(unit, TODAY, housed_soon.ref, strict=False)[0] == 1  # the contract's rules still count it
    with pytest.raises(services.OfferError) as caught, translation.override("en"):
        services.offer_make(application=housed_soon, unit=unit, offered=TODAY, by=make_user("caseworker"))
    start = lease.start.strftime("%d.%m.%Y")
    assert caught.value.messages == [f"{housed_soon.ref} already has a home coming: lease {lease.ref} from {start}."]


def test_shortlist_sql__limit_keeps_the_totals():
    records_import(json.loads(EXAMPLE.read_text()))
    unit = Unit.objects.get(ref="U-0003")
    full = shortlist_sql(unit, dt.date(2026, 11, 25))
    limited = shortlist_sql(unit, dt.date(2026, 11, 25), limit=1, excluded_limit=1)
    assert limited["shortlist_total"] == len(full["shortlist"])
    assert limited["excluded_total"] == len(full["excluded"])
    assert len(limited["excluded"]) <= 1


def test_bedroom_need_cache__follows_a_birthday_and_a_new_member(make_user):
    from allocation.models import BedroomNeed
    from cases.services import application_register
    from stord_bolig.demo.identity import synthetic_national_id
    from tests.factories import DecisionFactory, UnitFactory

    caseworker = make_user("caseworker")
    application = application_register(
        applicant={
            "national_id": synthetic_national_id(dt.date(1980, 5, 5), 1),
            "given_name": "Liv",
            "family_name": "Vik",
        },
        members=[
            {
                "role": "child",
                "national_id": synthetic_national_id(dt.date(2008, 12, 1), 1),
                "given_name": "Ola",
                "family_name": "Vik",
            }
        ],
        kind="municipal_housing",
        received=dt.date(2026, 9, 1),
        by=caseworker,
    )
    application.status = "decided"
    application.save()
    DecisionFactory(application=application, decided=dt.date(2026, 10, 1), notified=dt.date(2026, 10, 1))
    unit = UnitFactory(bedrooms=1)
    # the child is 17 on 30 Nov 2026: applicant 1 + teen 1 = 2 bedrooms, too many for a 1-bedroom unit? no: too few
    before = shortlist_sql(unit, dt.date(2026, 11, 30))
    assert before["excluded"][0]["reasons"] == ["too_few_bedrooms"]
    assert BedroomNeed.objects.get(application=application).valid_until == dt.date(2026, 12, 1)
    # on the 18th birthday the child becomes an "other adult": still 2 bedrooms, recomputed, not stale
    assert rank_of(unit, dt.date(2026, 12, 1), application.ref) == (None, ["too_few_bedrooms"])
    assert BedroomNeed.objects.get(application=application).computed_on == dt.date(2026, 12, 1)
    # a new member drops the cached need at once
    application_register(
        applicant={
            "national_id": synthetic_national_id(dt.date(1980, 5, 5), 1),
            "given_name": "Liv",
            "family_name": "Vik",
        },
        members=[
            {
                "role": "partner",
                "national_id": synthetic_national_id(dt.date(1979, 1, 2), 1),
                "given_name": "Per",
                "family_name": "Vik",
            }
        ],
        kind="housing_assistance",
        received=dt.date(2026, 11, 1),
        by=caseworker,
    )
    assert not BedroomNeed.objects.filter(application=application).exists()
