"""Table tests of allocation.rules: waiting applications, eligibility codes, bedroom need, ranking, shortlist."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from allocation.rules import (
    EXCLUSION_CODES,
    bedroom_need_for,
    eligibility_codes,
    is_waiting,
    offer_open_on,
    rank_key,
    shortlist,
)
from stord_bolig.interchange.codec import parse_document
from stord_bolig.interchange.schema import (
    Application,
    BedroomOverride,
    Decision,
    Document,
    Household,
    Lease,
    Member,
    Offer,
    OfferResponse,
    Person,
    Unit,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example.json"
D = dt.date(2026, 3, 10)
DAY = dt.timedelta(days=1)


# --- builders: one per record type, every field defaulted ---------------------------------------


def unit(ref: str = "U-1", **fields) -> Unit:
    values = dict(
        address="Hamnegata 4, 5411 Stord",
        unit_type="flat",
        ownership="owned",
        bedrooms=1,
        area_m2=50,
        floor=0,
        lift=False,
        wheelchair_accessible=False,
        target_group="ordinary",
        fire_sprinkler=True,
        fire_alarm_connected=True,
        monthly_rent=9000,
        in_stock_from=dt.date(2000, 1, 1),
        in_stock_until=None,
    )
    return Unit(ref=ref, **{**values, **fields})


def person(ref: str, birth_date: dt.date) -> Person:
    return Person(ref=ref, national_id="", given_name="Kari", family_name="Nordmann", birth_date=birth_date)


def household(ref: str, *members: tuple[str, dt.date]) -> tuple[Household, list[Person]]:
    """A household and its people from (role, birth date) pairs; the first is normally the applicant."""
    people = [person(f"{ref}-P{i}", born) for i, (_, born) in enumerate(members)]
    return Household(ref, [Member(p.ref, role) for p, (role, _) in zip(people, members, strict=True)]), people


def decision(decided: dt.date = D - 30 * DAY, *, outcome: str = "granted", lapsed: dt.date | None = None) -> Decision:
    return Decision(outcome=outcome, decided=decided, notified=decided, lapsed=lapsed)


def application(ref: str = "S-1", hh: str = "H-1", **fields) -> Application:
    values = dict(
        kind="municipal_housing",
        received=D - 60 * DAY,
        housing_situation="own_rented",
        main_reason="other",
        urgency="C",
        target_group="ordinary",
        wheelchair_need=False,
        min_bedrooms_override=None,
        preliminary_reply_sent=None,
        decision=decision(),
        appeal=None,
        suspended_until=None,
    )
    return Application(ref=ref, household=hh, **{**values, **fields})


def offer(ref: str, app: str, offered: dt.date, answered: dt.date | None = None, unit_ref: str = "U-1") -> Offer:
    response = None if answered is None else OfferResponse(answer="refused", date=answered, reason=None)
    return Offer(ref=ref, application=app, unit=unit_ref, offered=offered, response=response)


def lease(ref: str, hh: str, app: str | None, start: dt.date, **fields) -> Lease:
    values = dict(
        unit="U-9",
        end=None,
        short_term_reason=None,
        repeat_short_term_reason=None,
        monthly_rent=9000,
        deposit=0,
        guarantee=0,
        moved_in=start,
        moved_out=None,
        renewal_decided=None,
        move_out_demand_sent=None,
        last_circulation_review=None,
        financial_advice_referral=None,
        outcome=None,
    )
    return Lease(ref=ref, household=hh, application=app, start=start, **{**values, **fields})


ADULT = dt.date(1980, 5, 5)


def world(*apps: Application, the_unit: Unit | None = None, offers=(), leases=(), members=None) -> Document:
    """One unit, the applications, and a household per application (a single adult unless `members` says)."""
    doc = Document(units=[the_unit or unit()], offers=list(offers), leases=list(leases))
    seen = set()
    for app in apps:
        if app.household not in seen:
            seen.add(app.household)
            hh, people = household(app.household, *(members or {}).get(app.household, [("applicant", ADULT)]))
            doc.households.append(hh)
            doc.people.extend(people)
        doc.applications.append(app)
    return doc


def refs(result: dict) -> list[str]:
    return [entry["application"] for entry in result["shortlist"]]


def excluded(result: dict) -> dict[str, list[str]]:
    return {entry["application"]: entry["reasons"] for entry in result["excluded"]}


# --- who waits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "waiting"),
    [
        ({}, True),
        ({"kind": "swap"}, True),
        ({"kind": "housing_assistance"}, False),
        ({"kind": "renewal"}, False),
        ({"decision": None}, False),
        ({"decision": decision(outcome="refused")}, False),
        ({"decision": decision(D)}, True),  # decided on the day counts
        ({"decision": decision(D + DAY)}, False),  # decided later: undecided as of D
        ({"decision": decision(lapsed=D)}, False),  # lapsed on D
        ({"decision": decision(lapsed=D + DAY)}, True),  # a later lapse is ignored
        ({"suspended_until": D + 30 * DAY}, True),  # suspended still waits (and is excluded)
    ],
)
def test_is_waiting__kind_decision_and_lapse(fields, waiting):
    assert is_waiting(application(**fields), D, housed=False) is waiting


@pytest.mark.parametrize(
    ("the_lease", "waiting"),
    [
        (None, True),
        (lease("L-1", "H-1", "S-1", D), False),  # a lease for the application started on D
        (lease("L-1", "H-1", "S-1", D + DAY), True),  # starting later: still waiting on D
        (lease("L-1", "H-1", "S-OTHER", D - 99 * DAY), True),  # a lease for another application does not count
        (lease("L-1", "H-1", "S-1", D - 99 * DAY, moved_out=D - 9 * DAY), False),  # housed once is housed
    ],
)
def test_shortlist__lease_for_the_application_ends_the_wait(the_lease, waiting):
    result = shortlist(world(application(), leases=[the_lease] if the_lease else []), "U-1", D)
    assert (refs(result) == ["S-1"]) is waiting
    assert result["excluded"] == []


def test_shortlist__applications_not_waiting_are_not_listed_at_all():
    doc = world(
        application("S-1", "H-1", kind="housing_assistance"),
        application("S-2", "H-2", decision=None),
        application("S-3", "H-3", decision=decision(lapsed=D)),
    )
    assert shortlist(doc, "U-1", D) == {"unit": "U-1", "on": "2026-03-10", "shortlist": [], "excluded": []}


# --- offers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "answered", "is_open"),
    [
        (D, None, True),
        (D - 7 * DAY, None, True),  # the 7th day is still open
        (D - 8 * DAY, None, False),  # expired
        (D + DAY, None, False),  # not made yet
        (D - 2 * DAY, D, False),  # answered on D closes on D
        (D - 2 * DAY, D - DAY, False),
        (D - 2 * DAY, D + DAY, True),  # a response dated later has not happened yet
    ],
)
def test_offer_open_on__seven_days_inclusive_and_responses_as_of(offered, answered, is_open):
    assert offer_open_on(offer("O-1", "S-1", offered, answered), D) is is_open


def test_shortlist__open_offer_on_another_unit_also_excludes():
    doc = world(application(), offers=[offer("O-1", "S-1", D - DAY, unit_ref="U-OTHER")])
    assert excluded(shortlist(doc, "U-1", D)) == {"S-1": ["open_offer"]}


def test_shortlist__closed_offers_do_not_exclude():
    doc = world(application(), offers=[offer("O-1", "S-1", D - 20 * DAY), offer("O-2", "S-1", D - 3 * DAY, D - DAY)])
    assert refs(shortlist(doc, "U-1", D)) == ["S-1"]


# --- eligibility codes ----------------------------------------------------------------------------

BASE = dict(
    on=D,
    suspended_until=None,
    has_open_offer=False,
    need=1,
    wheelchair_need=False,
    target_group="ordinary",
    unit_bedrooms=1,
    unit_wheelchair_accessible=False,
    unit_target_group="ordinary",
)


@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, []),
        ({"suspended_until": D}, ["suspended"]),  # suspended through D
        ({"suspended_until": D - DAY}, []),
        ({"has_open_offer": True}, ["open_offer"]),
        ({"need": 2}, ["too_few_bedrooms"]),
        ({"unit_bedrooms": 2}, []),  # need + 1 is fine
        ({"unit_bedrooms": 3}, ["too_many_bedrooms"]),
        ({"need": 0, "unit_bedrooms": 0}, []),
        ({"need": 0, "unit_bedrooms": 1}, []),
        ({"need": 0, "unit_bedrooms": 2}, ["too_many_bedrooms"]),
        ({"wheelchair_need": True}, ["wheelchair"]),
        ({"wheelchair_need": True, "unit_wheelchair_accessible": True}, []),
        ({"unit_wheelchair_accessible": True}, []),  # an accessible unit suits anyone
        ({"target_group": "housing_first"}, ["target_group"]),
        ({"unit_target_group": "care"}, ["target_group"]),
        (
            {
                "suspended_until": D,
                "has_open_offer": True,
                "need": 3,
                "wheelchair_need": True,
                "target_group": "care",
            },
            ["suspended", "open_offer", "too_few_bedrooms", "wheelchair", "target_group"],
        ),
        (
            {"suspended_until": D, "has_open_offer": True, "need": 0, "unit_bedrooms": 5},
            list(EXCLUSION_CODES[:2]) + ["too_many_bedrooms"],
        ),
    ],
)
def test_eligibility_codes__each_rule_in_order(changes, codes):
    assert eligibility_codes(**{**BASE, **changes}) == codes


def test_shortlist__every_code_that_applies_is_listed():
    app = application(suspended_until=D, wheelchair_need=True, target_group="care")
    doc = world(app, the_unit=unit(bedrooms=3), offers=[offer("O-1", "S-1", D)])
    assert excluded(shortlist(doc, "U-1", D)) == {
        "S-1": ["suspended", "open_offer", "too_many_bedrooms", "wheelchair", "target_group"]
    }


# --- bedroom need ---------------------------------------------------------------------------------


def years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


@pytest.mark.parametrize(
    ("members", "need"),
    [
        ([("applicant", ADULT)], 0),  # a single adult living alone: a studio is acceptable
        ([("applicant", ADULT), ("partner", ADULT)], 1),
        ([("applicant", ADULT), ("other_adult", ADULT)], 2),
        ([("applicant", ADULT), ("child", years_before(D, 5))], 2),
        ([("applicant", ADULT), ("child", years_before(D, 5)), ("child", years_before(D, 3))], 2),  # share
        ([("applicant", ADULT)] + [("child", years_before(D, 4))] * 3, 3),  # pairs, rounded up
        ([("applicant", ADULT), ("child", years_before(D, 11)), ("child", years_before(D, 5))], 2),
        ([("applicant", ADULT), ("child", years_before(D, 12)), ("child", years_before(D, 5))], 3),  # 12 on D
        ([("applicant", ADULT), ("child", years_before(D, 12) + DAY), ("child", years_before(D, 5))], 2),
        ([("applicant", ADULT), ("child", years_before(D, 18))], 2),  # an 18-year-old "child" is an adult
        ([("applicant", ADULT), ("child", D + DAY)], 0),  # born after the date: left out
        ([("applicant", ADULT), ("partner", ADULT), ("child", D)], 2),  # born on the date counts
    ],
)
def test_bedroom_need_for__default_policy(members, need):
    hh, people = household("H-1", *members)
    assert bedroom_need_for(hh, {p.ref: p for p in people}, D, None) == need


def test_bedroom_need_for__override_replaces_computed_need_both_ways():
    single, people = household("H-1", ("applicant", ADULT))
    family, more_people = household("H-2", ("applicant", ADULT), *[("child", years_before(D, 14))] * 3)
    people_by_ref = {p.ref: p for p in people + more_people}
    assert bedroom_need_for(single, people_by_ref, D, BedroomOverride(2, "health")) == 2
    assert bedroom_need_for(family, people_by_ref, D, BedroomOverride(2, "agreed")) == 2


def test_shortlist__bedroom_need_is_taken_on_the_shortlist_date():
    # Two children, one turning 12 on 1 April: before that they share a room.
    members = {"H-1": [("applicant", ADULT), ("child", dt.date(2014, 4, 1)), ("child", dt.date(2020, 1, 1))]}
    doc = world(application(), the_unit=unit(bedrooms=2), members=members)
    assert refs(shortlist(doc, "U-1", dt.date(2026, 3, 31))) == ["S-1"]
    assert excluded(shortlist(doc, "U-1", dt.date(2026, 4, 1))) == {"S-1": ["too_few_bedrooms"]}


# --- ranking --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (dict(ref="S-2", urgency="A"), dict(ref="S-1", urgency="B")),  # band first
        (dict(ref="S-2", urgency="B"), dict(ref="S-1", urgency="C")),
        (
            dict(ref="S-2", decision=decision(D - 40 * DAY)),
            dict(ref="S-1", decision=decision(D - 30 * DAY)),
        ),  # then the earlier decision
        (
            dict(ref="S-2", received=D - 90 * DAY),
            dict(ref="S-1", received=D - 80 * DAY),
        ),  # then the earlier receipt
        (dict(ref="S-10"), dict(ref="S-9")),  # then the case number as a plain string
        (
            dict(ref="S-3", urgency="A", decision=decision(D - DAY), received=D - 2 * DAY),
            dict(ref="S-1", urgency="B", decision=decision(D - 99 * DAY), received=D - 199 * DAY),
        ),  # band beats older dates
    ],
)
def test_shortlist__tie_breaks(first, second):
    a = application(hh="H-A", **first)
    b = application(hh="H-B", **second)
    for order in ([a, b], [b, a]):
        result = shortlist(world(*order), "U-1", D)
        assert refs(result) == [first["ref"], second["ref"]]
        assert [entry["rank"] for entry in result["shortlist"]] == [1, 2]


def test_rank_key__orders_band_then_dates_then_ref():
    keys = [
        rank_key(urgency="C", decided=D, received=D, ref="S-1"),
        rank_key(urgency="A", decided=D, received=D, ref="S-9"),
        rank_key(urgency="A", decided=D - DAY, received=D, ref="S-8"),
        rank_key(urgency="A", decided=D - DAY, received=D - DAY, ref="S-7"),
    ]
    assert sorted(keys) == [keys[3], keys[2], keys[1], keys[0]]


# --- output shape ---------------------------------------------------------------------------------


def test_shortlist__output_shape_reasons_and_excluded_order():
    apps = [
        application("S-3", "H-3", urgency="A", decision=decision(dt.date(2026, 2, 20)), received=dt.date(2026, 2, 2)),
        application("S-1", "H-1", target_group="care"),
        application("S-0", "H-0", wheelchair_need=True),
        application("S-2", "H-2", min_bedrooms_override=BedroomOverride(1, "health"), wheelchair_need=True),
    ]
    doc = world(*apps, the_unit=unit(bedrooms=1, wheelchair_accessible=False))
    result = shortlist(doc, "U-1", D)
    assert list(result) == ["unit", "on", "shortlist", "excluded"]
    assert result["shortlist"] == [
        {
            "application": "S-3",
            "rank": 1,
            "band": "A",
            "reasons": [
                "band A",
                "needs 0 bedrooms, unit has 1",
                "target group ordinary",
                "decided 2026-02-20",
                "received 2026-02-02",
            ],
        }
    ]
    assert result["excluded"] == [
        {"application": "S-0", "reasons": ["wheelchair"]},
        {"application": "S-1", "reasons": ["target_group"]},
        {"application": "S-2", "reasons": ["wheelchair"]},
    ]


def test_shortlist__reasons_mention_override_and_wheelchair():
    app = application(min_bedrooms_override=BedroomOverride(1, "health"), wheelchair_need=True)
    result = shortlist(world(app, the_unit=unit(bedrooms=1, wheelchair_accessible=True)), "U-1", D)
    reasons = result["shortlist"][0]["reasons"]
    assert "needs 1 bedroom (set by caseworker), unit has 1" in reasons
    assert "needs wheelchair access, unit is accessible" in reasons


def test_shortlist__unknown_unit():
    with pytest.raises(LookupError):
        shortlist(world(application()), "U-404", D)


def test_shortlist__ten_thousand_waiting_are_each_ranked_or_excluded_once():
    # Speed is measured by `make bench`, not here.
    apps = [
        application(f"S-{i:05}", f"H-{i:05}", urgency="ABC"[i % 3], target_group=("ordinary", "care")[i % 7 == 0])
        for i in range(10_000)
    ]
    doc = world(*apps, offers=[offer(f"O-{i}", f"S-{i:05}", D - DAY) for i in range(0, 10_000, 5)])
    result = shortlist(doc, "U-1", D)
    refs = [e["application"] for e in result["shortlist"]] + [e["application"] for e in result["excluded"]]
    assert sorted(refs) == sorted(a.ref for a in apps)
    assert [e["rank"] for e in result["shortlist"]] == list(range(1, len(result["shortlist"]) + 1))


# --- example.json ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Document:
    return parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def test_example__studio_on_2026_11_25(example):
    result = shortlist(example, "U-0003", dt.date(2026, 11, 25))
    # S-2026-0007: single adult, ordinary, granted 2026-10-17 -> the only eligible one.
    assert result["shortlist"] == [
        {
            "application": "S-2026-0007",
            "rank": 1,
            "band": "C",
            "reasons": [
                "band C",
                "needs 0 bedrooms, unit has 0",
                "target group ordinary",
                "decided 2026-10-17",
                "received 2026-10-01",
            ],
        }
    ]
    # S-2026-0006 lapsed on 2026-11-25 and S-2025-0004 has a lease: neither waits, so neither is listed.
    assert excluded(result) == {
        "S-2018-0001": ["too_few_bedrooms", "target_group"],  # applicant + other adult, care
        "S-2025-0010": ["open_offer", "too_few_bedrooms", "target_group"],  # O-00021 offered 2026-11-18
        "S-2026-0005": ["open_offer"],  # swap; O-00022 offered 2026-11-19
        "S-2026-0008": ["suspended"],  # suspended until 2026-12-25
        "S-2026-0009": ["too_few_bedrooms", "target_group"],  # parent with a 15- and a 19-year-old
    }


def test_example__the_day_before_the_lapse_the_application_still_waits(example):
    # Housing First unit, 2 bedrooms; H-0021 is a parent with a 3- and a 16-year-old: needs 3.
    assert excluded(shortlist(example, "U-0004", dt.date(2026, 11, 24)))["S-2026-0006"] == ["too_few_bedrooms"]
    assert "S-2026-0006" not in excluded(shortlist(example, "U-0004", dt.date(2026, 11, 25)))
