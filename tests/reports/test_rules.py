"""Table tests of reports.rules (KOSTRA) and cases.deadlines, each definition at its edges."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cases.deadlines import deadlines
from reports.rules import KOSTRA_KEYS, kostra, share
from stord_bolig.interchange.codec import parse_document
from stord_bolig.interchange.schema import (
    Application,
    Decision,
    Document,
    Household,
    Lease,
    Member,
    TemporaryStay,
    Unit,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example.json"
Y = 2025


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


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
        in_stock_from=d("2000-01-01"),
        in_stock_until=None,
    )
    return Unit(ref=ref, **{**values, **fields})


def household(ref: str = "H-1") -> Household:
    return Household(ref=ref, members=[Member(person=f"P-{ref}", role="applicant")])


def decision(decided: str, outcome: str = "granted", lapsed: str | None = None) -> Decision:
    return Decision(outcome=outcome, decided=d(decided), notified=d(decided), lapsed=lapsed and d(lapsed))


def application(ref: str = "S-1", hh: str = "H-1", received: str = "2025-03-01", **fields) -> Application:
    values = dict(
        kind="municipal_housing",
        housing_situation="own_rented",
        main_reason="other",
        urgency="C",
        target_group="ordinary",
        wheelchair_need=False,
        min_bedrooms_override=None,
        preliminary_reply_sent=None,
        decision=None,
        appeal=None,
        suspended_until=None,
    )
    return Application(ref=ref, household=hh, received=d(received), **{**values, **fields})


def lease(ref: str, hh: str, start: str, *, application: str | None = None, **fields) -> Lease:
    values = dict(
        unit="U-1",
        end=None,
        short_term_reason=None,
        repeat_short_term_reason=None,
        monthly_rent=9000,
        deposit=0,
        guarantee=0,
        moved_in=d(start),
        moved_out=None,
        renewal_decided=None,
        move_out_demand_sent=None,
        last_circulation_review=None,
        financial_advice_referral=None,
        outcome=None,
    )
    dates = {key: d(value) if isinstance(value, str) else value for key, value in fields.items()}
    return Lease(ref=ref, household=hh, application=application, start=d(start), **{**values, **dates})


def stay(hh: str, start: str, end: str | None, *, kind: str = "hospits", children: bool = False) -> TemporaryStay:
    return TemporaryStay(household=hh, kind=kind, start=d(start), end=end and d(end), children_present=children)


def figures(**records) -> dict:
    return kostra(Document(**records), Y)


# --- shape and shares -----------------------------------------------------------------------------


def test_kostra__keys_in_order_and_types_on_an_empty_document():
    result = kostra(Document(), Y)
    assert tuple(result) == KOSTRA_KEYS
    assert list(result) == [
        "units_total",
        "units_owned",
        "units_leased",
        "units_private_allocation_right",
        "units_wheelchair",
        "units_wheelchair_share",
        "applications_new",
        "refusals_new",
        "refusal_share",
        "moved_in_new",
        "moved_in_adapted_housing",
        "moved_in_refugee",
        "moved_in_mental_illness",
        "moved_in_substance_use",
        "moved_in_mental_and_substance",
        "moved_in_other",
        "moved_in_not_needs_tested",
        "waiting_list",
        "waiting_list_wheelchair",
        "temp_households",
        "temp_children_over_3_months",
        "temp_natthjem",
    ]
    shares = {"units_wheelchair_share", "refusal_share"}
    assert all(type(value) is (float if key in shares else int) for key, value in result.items())
    assert result["units_wheelchair_share"] == 0.0 and result["refusal_share"] == 0.0


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [
        (0, 0, 0.0),
        (0, 5, 0.0),
        (1, 1, 100.0),
        (1, 3, 33.3),
        (2, 3, 66.7),
        (1, 16, 6.3),  # 6.25: half-up, not banker's 6.2
        (1, 80, 1.3),  # 1.25
        (3, 8, 37.5),
        (5, 4, 125.0),  # refusals of older applications can outnumber this year's new ones
    ],
)
def test_share__percent_rounded_half_up(part, whole, percent):
    assert share(part, whole) == percent


# --- units ------------------------------------------------------------------------------------------


def test_units__in_stock_on_31_december_by_ownership_and_wheelchair():
    units = [
        unit("U-1", wheelchair_accessible=True),
        unit("U-2", ownership="leased", in_stock_until=d("2025-12-31")),  # until is inclusive
        unit("U-3", ownership="private_allocation_right", in_stock_from=d("2025-12-31"), wheelchair_accessible=True),
        unit("U-4", in_stock_until=d("2025-12-30")),  # left the stock
        unit("U-5", in_stock_from=d("2026-01-01")),  # not yet in the stock
        unit("U-6", ownership="leased"),
    ]
    result = figures(units=units)
    assert {key: result[key] for key in KOSTRA_KEYS[:6]} == {
        "units_total": 4,
        "units_owned": 1,
        "units_leased": 2,
        "units_private_allocation_right": 1,
        "units_wheelchair": 2,
        "units_wheelchair_share": 50.0,
    }


# --- new applications and refusals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "leases", "new"),
    [
        (application(), [], True),
        (application(received="2024-12-31"), [], False),  # received the year before
        (application(received="2026-01-01"), [], False),
        (application(kind="swap"), [], False),  # only kommunal bustad
        (application(kind="housing_assistance"), [], False),
        (application(), [lease("L-1", "H-1", "2024-01-01")], False),  # housed on the received date
        (application(), [lease("L-1", "H-1", "2024-01-01", moved_out="2025-03-01")], False),  # moving out that day
        (application(), [lease("L-1", "H-1", "2024-01-01", moved_out="2025-02-28")], True),
        (application(), [lease("L-1", "H-1", "2024-01-01", end="2025-02-28")], True),  # ended the day before
        (application(), [lease("L-1", "H-1", "2025-03-02")], True),  # lease starting later
        (application(), [lease("L-1", "H-2", "2024-01-01")], True),  # another household's lease
    ],
)
def test_applications_new__kind_year_and_no_active_lease(app, leases, new):
    assert figures(applications=[app], leases=leases)["applications_new"] == int(new)


@pytest.mark.parametrize(
    ("app", "leases", "refusals"),
    [
        (application(decision=decision("2025-04-01", "refused")), [], 1),
        (application(decision=decision("2025-04-01", "granted")), [], 0),
        # received the year before: not in applications_new, but its refusal counts in the year decided
        (application(received="2024-12-20", decision=decision("2025-01-10", "refused")), [], 1),
        (application(received="2025-12-20", decision=decision("2026-01-10", "refused")), [], 0),  # decided later
        # refusal of a non-new application: the household had an active lease on the received date
        (application(decision=decision("2025-04-01", "refused")), [lease("L-1", "H-1", "2024-01-01")], 0),
        # newness is judged on the received date, not the decision date
        (
            application(decision=decision("2025-04-01", "refused")),
            [lease("L-1", "H-1", "2025-03-15", application="S-9")],
            1,
        ),
        (application(kind="housing_assistance", decision=decision("2025-04-01", "refused")), [], 0),
    ],
)
def test_refusals_new__decided_in_the_year_of_new_applications(app, leases, refusals):
    assert figures(applications=[app], leases=leases)["refusals_new"] == refusals


def test_refusal_share__of_new_applications():
    apps = [application(f"S-{i}", f"H-{i}") for i in range(6)]
    apps[0].decision = decision("2025-04-01", "refused")
    result = figures(applications=apps)
    assert (result["applications_new"], result["refusals_new"], result["refusal_share"]) == (6, 1, 16.7)


# --- newly moved in -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leases", "count"),
    [
        ([lease("L-1", "H-1", "2025-05-01")], 1),
        ([lease("L-1", "H-1", "2025-01-01")], 1),
        ([lease("L-1", "H-1", "2024-12-31")], 0),  # moved in the year before
        ([lease("L-1", "H-1", "2025-05-01", moved_in=None)], 0),  # never moved in: not counted
        # the lease itself (started before moving in) is left out of the "day before" check
        ([lease("L-1", "H-1", "2024-12-20", moved_in="2025-01-05")], 1),
        # moving between units on one day: the old lease is active the day before
        (
            [
                lease("L-1", "H-1", "2023-01-01", moved_out="2025-06-01"),
                lease("L-2", "H-1", "2025-06-01"),
            ],
            0,
        ),
        # a moved-out day is still an active day, so a move the next day is no new move-in either
        (
            [
                lease("L-1", "H-1", "2023-01-01", moved_out="2025-05-31"),
                lease("L-2", "H-1", "2025-06-01"),
            ],
            0,
        ),
        (
            [
                lease("L-1", "H-1", "2023-01-01", moved_out="2025-05-30"),
                lease("L-2", "H-1", "2025-06-01"),
            ],
            1,
        ),
        # renewal: the new lease starts the day after the old end, nobody moves
        (
            [
                lease("L-1", "H-1", "2022-06-01", end="2025-05-31", renewal_decided="2025-03-01"),
                lease("L-2", "H-1", "2025-06-01", moved_in=None),
            ],
            0,
        ),
        # two households moving in on the same day are two events
        ([lease("L-1", "H-1", "2025-05-01"), lease("L-2", "H-2", "2025-05-01")], 2),
    ],
)
def test_moved_in_new__move_in_events_without_an_active_lease_the_day_before(leases, count):
    assert figures(leases=leases)["moved_in_new"] == count


def test_moved_in__by_main_reason_of_the_application_behind_the_lease():
    apps = [
        application("S-1", "H-1", main_reason="refugee"),
        application("S-2", "H-2", main_reason="mental_and_substance"),
        application("S-3", "H-3", main_reason="refugee"),
    ]
    leases = [
        lease("L-1", "H-1", "2025-05-01", application="S-1"),
        lease("L-2", "H-2", "2025-06-01", application="S-2"),
        lease("L-3", "H-3", "2025-07-01", application="S-3"),
        lease("L-4", "H-4", "2025-08-01"),  # no application: counts as other
    ]
    result = figures(applications=apps, leases=leases)
    moved = {key: value for key, value in result.items() if key.startswith("moved_in_") and value}
    assert moved == {"moved_in_new": 4, "moved_in_refugee": 2, "moved_in_mental_and_substance": 1, "moved_in_other": 1}


# --- waiting list ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "leases", "waiting"),
    [
        (application(decision=decision("2025-06-01")), [], 1),
        (application(decision=decision("2025-12-31")), [], 1),
        (application(decision=decision("2026-01-02")), [], 0),  # decided later: undecided on 31 Dec
        (application(decision=decision("2025-06-01", "refused")), [], 0),
        (application(decision=None), [], 0),
        (application(decision=decision("2025-06-01", lapsed="2025-12-31")), [], 0),  # lapsed on 31 Dec
        (application(decision=decision("2025-06-01", lapsed="2026-01-15")), [], 1),  # a later lapse is ignored
        (application(decision=decision("2025-06-01"), suspended_until=d("2026-03-01")), [], 1),  # suspended waits
        (application(kind="swap", decision=decision("2025-06-01")), [], 0),
        (application(decision=decision("2025-06-01")), [lease("L-1", "H-1", "2025-12-31", application="S-1")], 0),
        (application(decision=decision("2025-06-01")), [lease("L-1", "H-1", "2026-01-01", application="S-1")], 1),
        (application(decision=decision("2025-06-01")), [lease("L-1", "H-1", "2025-01-01", application="S-0")], 1),
    ],
)
def test_waiting_list__on_31_december(app, leases, waiting):
    assert figures(applications=[app], leases=leases)["waiting_list"] == waiting


def test_waiting_list__once_per_household_with_wheelchair_from_any_application():
    apps = [
        application("S-1", "H-1", decision=decision("2025-06-01")),
        application("S-2", "H-1", decision=decision("2025-07-01"), wheelchair_need=True),
        application("S-3", "H-2", decision=decision("2025-07-01")),
        application("S-4", "H-3", decision=decision("2025-07-01", lapsed="2025-09-01"), wheelchair_need=True),
    ]
    result = figures(applications=apps, households=[household("H-1"), household("H-2"), household("H-3")])
    assert (result["waiting_list"], result["waiting_list_wheelchair"]) == (2, 1)


# --- temporary stays -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stays", "expected"),
    [
        ([stay("H-1", "2025-03-01", "2025-03-05")], (1, 0, 0)),
        ([stay("H-1", "2024-11-01", "2025-01-01")], (1, 0, 0)),  # crossing into the year
        ([stay("H-1", "2024-11-01", "2024-12-31")], (0, 0, 0)),  # over before the year
        ([stay("H-1", "2026-01-01", None)], (0, 0, 0)),  # not begun
        ([stay("H-1", "2025-03-01", "2025-03-05", kind="natthjem")], (1, 0, 1)),
        # children, more than 3 months, crossing the year end: the real end counts
        ([stay("H-1", "2025-11-15", "2026-02-16", children=True)], (1, 1, 0)),
        ([stay("H-1", "2025-11-15", "2026-02-15", children=True)], (1, 0, 0)),  # exactly 3 months is not more
        ([stay("H-1", "2024-10-01", "2025-01-10", children=True)], (1, 1, 0)),  # began the year before
        ([stay("H-1", "2025-11-30", "2026-03-01", children=True)], (1, 1, 0)),  # 30 Nov + 3 months = 28 Feb
        ([stay("H-1", "2025-11-30", "2026-02-28", children=True)], (1, 0, 0)),
        ([stay("H-1", "2025-09-30", None, children=True)], (1, 1, 0)),  # ongoing: to 31 Dec > 30 Dec
        ([stay("H-1", "2025-10-01", None, children=True)], (1, 0, 0)),  # ongoing: 31 Dec < 1 Jan
        ([stay("H-1", "2025-01-01", "2025-12-31", children=False)], (1, 0, 0)),  # long, but no children
        # each stay is judged alone: two back-to-back 2-month stays are not one long stay
        (
            [
                stay("H-1", "2025-01-01", "2025-03-01", children=True),
                stay("H-1", "2025-03-02", "2025-05-01", children=True),
            ],
            (1, 0, 0),
        ),
        # households, not stays
        (
            [
                stay("H-1", "2025-01-01", "2025-01-02", kind="natthjem"),
                stay("H-1", "2025-05-01", "2025-09-02", kind="natthjem", children=True),
                stay("H-2", "2025-05-01", "2025-05-02", kind="camping"),
            ],
            (2, 1, 1),
        ),
    ],
)
def test_temporary_stays__overlap_long_stays_with_children_and_natthjem(stays, expected):
    result = figures(temporary_stays=stays)
    assert (result["temp_households"], result["temp_children_over_3_months"], result["temp_natthjem"]) == expected


# --- deadlines ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"received": "2026-01-31"}, {"preliminary_reply_due": "2026-02-28", "appeal_deadline": None}),
        ({"received": "2024-01-31"}, {"preliminary_reply_due": "2024-02-29", "appeal_deadline": None}),
        # any kind or state gets a preliminary-reply date
        (
            {"received": "2026-01-15", "kind": "renewal", "decision": decision("2026-01-20")},
            {"preliminary_reply_due": "2026-02-15", "appeal_deadline": "2026-02-10"},
        ),
        # refused decisions get an appeal deadline too; notified 2026-03-12 + 3 weeks = Maundy Thursday 2 Apr,
        # then Good Friday, Saturday, Easter Sunday, Easter Monday: 7 April
        (
            {"received": "2026-02-01", "decision": Decision("refused", d("2026-03-11"), d("2026-03-12"), None)},
            {"preliminary_reply_due": "2026-03-01", "appeal_deadline": "2026-04-07"},
        ),
        # 17 May 2027 is both Constitution Day and Whit Monday
        (
            {"received": "2027-04-01", "decision": Decision("granted", d("2027-04-20"), d("2027-04-26"), None)},
            {"preliminary_reply_due": "2027-05-01", "appeal_deadline": "2027-05-18"},
        ),
        # 24 and 31 December are working days
        (
            {"received": "2026-11-01", "decision": Decision("granted", d("2026-12-01"), d("2026-12-03"), None)},
            {"preliminary_reply_due": "2026-12-01", "appeal_deadline": "2026-12-24"},
        ),
    ],
)
def test_deadlines__preliminary_reply_and_appeal(fields, expected):
    assert deadlines(Document(applications=[application(**fields)]), "S-1") == expected


def test_deadlines__unknown_application():
    with pytest.raises(LookupError):
        deadlines(Document(), "S-404")


# --- example.json ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Document:
    return parse_document(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def test_example__kostra_2025(example):
    assert kostra(example, 2025) == {
        "units_total": 15,
        "units_owned": 11,
        "units_leased": 0,
        "units_private_allocation_right": 4,
        "units_wheelchair": 8,
        "units_wheelchair_share": 53.3,
        # seven kommunal bustad applications in 2025; S-2025-0009's household (H-0016) was housed (L-00004)
        "applications_new": 6,
        "refusals_new": 0,
        "refusal_share": 0.0,
        # L-00005, L-00006, L-00007; L-00008 is H-0016 moving from L-00004 on 2025-12-25
        "moved_in_new": 3,
        "moved_in_adapted_housing": 2,
        "moved_in_refugee": 0,
        "moved_in_mental_illness": 0,
        "moved_in_substance_use": 0,
        "moved_in_mental_and_substance": 0,
        "moved_in_other": 1,
        "moved_in_not_needs_tested": 0,
        # H-0003 (suspended earlier, still waits), H-0004, H-0025, H-0009 (leases start 2026), H-0023
        "waiting_list": 5,
        "waiting_list_wheelchair": 0,
        "temp_households": 6,
        "temp_children_over_3_months": 1,  # H-0020's camping stay 2024-10-02..2025-05-26
        "temp_natthjem": 2,  # H-0019, H-0020
    }


def test_example__kostra_2026_refusal_of_a_new_application(example):
    result = kostra(example, 2026)
    # S-2026-0004 (H-0014, no lease) refused 2026-07-22; S-2026-0002 is housing assistance
    assert (result["refusals_new"], result["units_total"]) == (1, 13)  # U-0001 and U-0014 left the stock


def test_example__deadlines(example):
    # notified Saturday 2026-07-25 + 3 weeks = Saturday 2026-08-15 -> Monday
    assert deadlines(example, "S-2026-0004") == {"preliminary_reply_due": "2026-08-10", "appeal_deadline": "2026-08-17"}
    assert deadlines(example, "S-2026-0010") == {"preliminary_reply_due": "2026-12-21", "appeal_deadline": None}
