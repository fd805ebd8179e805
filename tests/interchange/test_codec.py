"""Table tests for the `stord-bolig/1` codec: the round trip, shape errors and every import rule (no database)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stord_bolig.interchange import schema
from stord_bolig.interchange.codec import _COLLECTIONS, InterchangeError, parse_document, serialise_document

EXAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "example.json"
EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))

_PREFIXES = {
    "U-": "units",
    "P-": "people",
    "H-": "households",
    "S-": "applications",
    "O-": "offers",
    "L-": "leases",
}


def ix(ref: str) -> int:
    """Index of the record with `ref` in the example (paths in the tables use it)."""
    collection = _PREFIXES[ref[:2]]
    return next(i for i, record in enumerate(EXAMPLE[collection]) if record["ref"] == ref)


def rec(doc: dict[str, Any], ref: str) -> dict[str, Any]:
    """The record with `ref` in `doc` (a copy of the example)."""
    return doc[_PREFIXES[ref[:2]]][ix(ref)]


def national_id(ddmmyy: str, individual: int) -> str:
    """A synthetic id with valid check digits: the first individual number from `individual` that has them."""
    for number in range(individual, individual + 100):
        digits = [int(c) for c in f"{ddmmyy}{number:03d}"]
        k1 = (11 - sum(w * d for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), digits, strict=True)) % 11) % 11
        k2 = (11 - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), [*digits, k1], strict=True)) % 11) % 11
        if k1 < 10 and k2 < 10:
            return f"{ddmmyy}{number:03d}{k1}{k2}"
    raise AssertionError("no valid check digits found")


def errors_of(doc: Any) -> list[str]:
    with pytest.raises(InterchangeError) as info:
        parse_document(doc)
    return info.value.errors


def mutated(mutate: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    doc = copy.deepcopy(EXAMPLE)
    mutate(doc)
    return doc


def setter(ref: str, *keys: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation that sets rec(ref)[keys...] = value."""

    def mutate(doc: dict[str, Any]) -> None:
        target = rec(doc, ref)
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


def deleter(ref: str, *keys: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        target = rec(doc, ref)
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return mutate


def both(*mutations: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(doc)

    return mutate


def add_lease(**changes: Any) -> Callable[[dict[str, Any]], None]:
    """Append a lease (a short-term one for H-0013 in U-0005 right after L-00002, unless changed)."""
    lease = {
        **EXAMPLE["leases"][ix("L-00002")],
        "ref": "L-00013",
        "application": None,
        "start": "2024-12-12",
        "end": "2025-06-11",
        "short_term_reason": "Ny mellombels periode",
        "repeat_short_term_reason": None,
        "moved_in": None,
        "move_out_demand_sent": None,
    }
    lease.update(changes)
    return lambda doc: doc["leases"].append(lease)


U1, U2, U8 = ix("U-0001"), ix("U-0002"), ix("U-0008")
P1, P9 = ix("P-00001"), ix("P-00009")
H1, H2, H5 = ix("H-0001"), ix("H-0002"), ix("H-0005")
S18_1, S18_2 = ix("S-2018-0001"), ix("S-2018-0002")
S24_4, S25_5, S26_2, S26_6 = ix("S-2024-0004"), ix("S-2025-0005"), ix("S-2026-0002"), ix("S-2026-0006")
O19 = ix("O-00019")
L2, L4, L6, L8, L10, L11, L12 = (ix(f"L-000{n:02d}") for n in (2, 4, 6, 8, 10, 11, 12))
L13 = len(EXAMPLE["leases"])  # the appended lease
RENT_L12 = EXAMPLE["leases"][L12]["monthly_rent"]

# (case, mutation, JSON path that must carry an error, fragment of its message)
INVALID: list[tuple[str, Callable[[dict[str, Any]], object], str, str]] = [
    # --- shape of the document
    ("format_wrong", lambda d: d.update(format="stord-bolig/2"), "format", "expected"),
    ("format_missing", lambda d: d.pop("format"), "format", "missing key"),
    ("top_unknown_key", lambda d: d.update(extra=[]), "extra", "unknown key"),
    ("collection_missing", lambda d: d.pop("arrears"), "arrears", "missing key"),
    ("collection_not_a_list", lambda d: d.update(units={}), "units", "expected a list"),
    ("record_not_an_object", lambda d: d["arrears"].__setitem__(0, [1]), "arrears[0]", "expected an object"),
    ("unit_unknown_key", setter("U-0001", "colour", value="red"), f"units[{U1}].colour", "unknown key"),
    ("unit_missing_key", deleter("U-0001", "address"), f"units[{U1}].address", "missing key"),
    (
        "decision_unknown_key",
        setter("S-2018-0001", "decision", "reason", value="x"),
        f"applications[{S18_1}].decision.reason",
        "unknown key",
    ),
    (
        "decision_missing_key",
        deleter("S-2018-0001", "decision", "lapsed"),
        f"applications[{S18_1}].decision.lapsed",
        "missing key",
    ),
    (
        "member_unknown_key",
        lambda d: d["households"][H1]["members"][0].update(since="2020-01-01"),
        f"households[{H1}].members[0].since",
        "unknown key",
    ),
    (
        "members_not_a_list",
        setter("H-0001", "members", value={}),
        f"households[{H1}].members",
        "expected a list",
    ),
    ("response_missing_key", deleter("O-00019", "response", "reason"), f"offers[{O19}].response.reason", "missing key"),
    (
        "response_answer_unknown",
        setter("O-00019", "response", "answer", value="maybe"),
        f"offers[{O19}].response.answer",
        "expected one of accepted, refused",
    ),
    ("response_not_an_object", setter("O-00019", "response", value="yes"), f"offers[{O19}].response", "object"),
    (
        "override_reason_missing",
        setter("S-2025-0005", "min_bedrooms_override", value={"bedrooms": 1}),
        f"applications[{S25_5}].min_bedrooms_override.reason",
        "missing key",
    ),
    (
        "override_bedrooms_negative",
        setter("S-2025-0005", "min_bedrooms_override", value={"bedrooms": -1, "reason": "x"}),
        f"applications[{S25_5}].min_bedrooms_override.bedrooms",
        "at least 0",
    ),
    (
        "override_bedrooms_not_int",
        setter("S-2025-0005", "min_bedrooms_override", value={"bedrooms": "2", "reason": "x"}),
        f"applications[{S25_5}].min_bedrooms_override.bedrooms",
        "expected an integer",
    ),
    (
        "override_reason_blank",
        setter("S-2025-0005", "min_bedrooms_override", value={"bedrooms": 2, "reason": "  "}),
        f"applications[{S25_5}].min_bedrooms_override.reason",
        "must not be empty",
    ),
    (
        "override_not_an_object",
        setter("S-2025-0005", "min_bedrooms_override", value=2),
        f"applications[{S25_5}].min_bedrooms_override",
        "expected an object",
    ),
    ("null_not_allowed", setter("U-0001", "address", value=None), f"units[{U1}].address", "must not be null"),
    ("ref_empty", setter("U-0001", "ref", value=""), f"units[{U1}].ref", "must not be empty"),
    ("string_expected", setter("P-00001", "given_name", value=7), f"people[{P1}].given_name", "expected a string"),
    # --- dates, money, booleans, enums
    ("date_unpadded", setter("L-00012", "start", value="2026-9-2"), f"leases[{L12}].start", "YYYY-MM-DD"),
    ("date_compact", setter("L-00012", "start", value="20260902"), f"leases[{L12}].start", "YYYY-MM-DD"),
    ("date_with_time", setter("L-00012", "start", value="2026-09-02T00:00"), f"leases[{L12}].start", "YYYY-MM-DD"),
    ("date_not_a_string", setter("L-00012", "start", value=20260902), f"leases[{L12}].start", "YYYY-MM-DD"),
    ("date_not_in_calendar", setter("L-00012", "start", value="2026-02-29"), f"leases[{L12}].start", "calendar"),
    (
        "date_nullable_but_bad",
        setter("S-2018-0001", "suspended_until", value="soon"),
        f"applications[{S18_1}].suspended_until",
        "YYYY-MM-DD",
    ),
    ("money_float", setter("L-00012", "monthly_rent", value=11900.0), f"leases[{L12}].monthly_rent", "integer"),
    ("money_string", setter("L-00012", "monthly_rent", value="11900"), f"leases[{L12}].monthly_rent", "integer"),
    ("money_bool", setter("L-00012", "deposit", value=True), f"leases[{L12}].deposit", "integer"),
    ("money_negative", setter("L-00012", "guarantee", value=-1), f"leases[{L12}].guarantee", "at least 0"),
    ("arrears_amount_float", lambda d: d["arrears"][0].update(amount=1.5), "arrears[0].amount", "integer"),
    ("bool_string", setter("U-0001", "lift", value="no"), f"units[{U1}].lift", "true or false"),
    ("bool_int", setter("U-0001", "lift", value=0), f"units[{U1}].lift", "true or false"),
    ("enum_unknown", setter("U-0001", "unit_type", value="villa"), f"units[{U1}].unit_type", "expected one of"),
    ("enum_case", setter("S-2018-0001", "urgency", value="a"), f"applications[{S18_1}].urgency", "one of A, B, C"),
    ("enum_nullable_unknown", setter("L-00012", "outcome", value="moved"), f"leases[{L12}].outcome", "one of"),
    (
        "role_unknown",
        lambda d: d["households"][H1]["members"][0].update(role="owner"),
        f"households[{H1}].members[0].role",
        "expected one of",
    ),
    # --- refs unique per collection
    ("unit_ref_duplicate", setter("U-0002", "ref", value="U-0001"), f"units[{U2}].ref", "duplicate ref"),
    ("person_ref_duplicate", setter("P-00009", "ref", value="P-00001"), f"people[{P9}].ref", "duplicate ref"),
    ("household_ref_duplicate", setter("H-0002", "ref", value="H-0001"), f"households[{H2}].ref", "duplicate ref"),
    (
        "application_ref_duplicate",
        setter("S-2018-0002", "ref", value="S-2018-0001"),
        f"applications[{S18_2}].ref",
        "duplicate ref",
    ),
    ("offer_ref_duplicate", setter("O-00019", "ref", value="O-00001"), f"offers[{O19}].ref", "duplicate ref"),
    ("lease_ref_duplicate", setter("L-00012", "ref", value="L-00001"), f"leases[{L12}].ref", "duplicate ref"),
    # --- every reference resolves
    (
        "member_person_unknown",
        lambda d: d["households"][H1]["members"][1].update(person="P-99999"),
        f"households[{H1}].members[1].person",
        "unknown person 'P-99999'",
    ),
    (
        "application_household_unknown",
        setter("S-2018-0001", "household", value="H-99"),
        f"applications[{S18_1}].household",
        "unknown household",
    ),
    (
        "offer_application_unknown",
        setter("O-00019", "application", value="S-1999-0001"),
        f"offers[{O19}].application",
        "unknown application",
    ),
    ("offer_unit_unknown", setter("O-00019", "unit", value="U-99"), f"offers[{O19}].unit", "unknown unit 'U-99'"),
    ("lease_unit_unknown", setter("L-00012", "unit", value="U-99"), f"leases[{L12}].unit", "unknown unit 'U-99'"),
    (
        "lease_household_unknown",
        setter("L-00012", "household", value="H-99"),
        f"leases[{L12}].household",
        "unknown household",
    ),
    (
        "lease_application_unknown",
        setter("L-00012", "application", value="S-99"),
        f"leases[{L12}].application",
        "unknown application",
    ),
    ("arrears_lease_unknown", lambda d: d["arrears"][0].update(lease="L-99"), "arrears[0].lease", "unknown lease"),
    (
        "stay_household_unknown",
        lambda d: d["temporary_stays"][0].update(household="H-99"),
        "temporary_stays[0].household",
        "unknown household",
    ),
    # --- households
    (
        "household_without_applicant",
        lambda d: d["households"][H5]["members"][0].update(role="other_adult"),
        f"households[{H5}].members",
        "exactly one applicant, found 0",
    ),
    (
        "household_two_applicants",
        lambda d: d["households"][H1]["members"][1].update(role="applicant"),
        f"households[{H1}].members",
        "exactly one applicant, found 2",
    ),
    (
        "household_two_partners",
        lambda d: d["households"][H2]["members"][2].update(role="partner"),
        f"households[{H2}].members",
        "at most one partner",
    ),
    ("household_no_members", setter("H-0005", "members", value=[]), f"households[{H5}].members", "found 0"),
    (
        "person_in_two_households",
        lambda d: d["households"][H5]["members"].append({"person": "P-00001", "role": "other_adult"}),
        f"households[{H5}].members[1].person",
        f"already a member of households[{H1}]",
    ),
    (
        "person_twice_in_household",
        lambda d: d["households"][H1]["members"].append({"person": "P-00002", "role": "other_adult"}),
        f"households[{H1}].members[3].person",
        f"already a member of households[{H1}]",
    ),
    # --- national ids
    (
        "national_id_bad_checksum",
        setter("P-00001", "national_id", value="17067325967"),
        f"people[{P1}].national_id",
        "invalid",
    ),
    (
        "national_id_bad_first_check_digit",
        setter("P-00001", "national_id", value="17067325956"),
        f"people[{P1}].national_id",
        "invalid",
    ),
    (
        "national_id_bad_date",
        setter("P-00001", "national_id", value=national_id("310273", 259)),
        f"people[{P1}].national_id",
        "invalid",
    ),
    ("national_id_short", setter("P-00001", "national_id", value="1706732596"), f"people[{P1}].national_id", "11"),
    (
        "national_id_with_space",
        setter("P-00001", "national_id", value="170673 25966"),
        f"people[{P1}].national_id",
        "expected 11 digits",
    ),
    (
        "national_id_not_birth_date",
        setter("P-00001", "birth_date", value="1973-06-18"),
        f"people[{P1}].national_id",
        "encodes birth date 1973-06-17, but birth_date is 1973-06-18",
    ),
    (
        "d_number_not_birth_date",
        setter("P-00009", "birth_date", value="1964-04-24"),
        f"people[{P9}].national_id",
        "encodes birth date 1964-04-23",
    ),
    (
        "national_id_other_century",
        # same digits, but individual number 500-749 with year 73 means 1873, not 1973
        setter("P-00001", "national_id", value=national_id("170673", 500)),
        f"people[{P1}].national_id",
        "encodes birth date 1873-06-17",
    ),
    # --- applications: received <= decided <= notified, lapsed and suspended only when granted
    (
        "decided_before_received",
        setter("S-2018-0001", "decision", "decided", value="2018-06-14"),
        f"applications[{S18_1}].decision.decided",
        "date before received",
    ),
    (
        "notified_before_decided",
        setter("S-2018-0001", "decision", "notified", value="2018-08-23"),
        f"applications[{S18_1}].decision.notified",
        "date before decided",
    ),
    (
        "lapsed_on_refused",
        setter("S-2026-0002", "decision", "lapsed", value="2026-06-30"),
        f"applications[{S26_2}].decision.lapsed",
        "only a granted decision",
    ),
    (
        "lapsed_before_decided",
        setter("S-2026-0006", "decision", "lapsed", value="2026-09-22"),
        f"applications[{S26_6}].decision.lapsed",
        "date before decided",
    ),
    (
        "suspended_on_refused",
        setter("S-2026-0002", "suspended_until", value="2026-12-01"),
        f"applications[{S26_2}].suspended_until",
        "granted",
    ),
    (
        "suspended_undecided",
        setter("S-2024-0004", "suspended_until", value="2026-12-01"),
        f"applications[{S24_4}].suspended_until",
        "granted",
    ),
    (
        "preliminary_reply_before_received",
        setter("S-2018-0002", "preliminary_reply_sent", value="2018-09-04"),
        f"applications[{S18_2}].preliminary_reply_sent",
        "date before received",
    ),
    # --- offers
    (
        "offer_on_refused_application",
        setter("O-00019", "application", value="S-2026-0002"),
        f"offers[{O19}].application",
        "no granted decision",
    ),
    (
        "offer_on_undecided_application",
        setter("O-00019", "application", value="S-2024-0004"),
        f"offers[{O19}].application",
        "no granted decision",
    ),
    (
        "offer_before_decided",
        both(setter("O-00019", "offered", value="2026-06-12"), setter("O-00019", "response", value=None)),
        f"offers[{O19}].offered",
        "date before the decision (2026-06-13)",
    ),
    (
        "offer_after_lapsed",
        both(
            setter("O-00019", "application", value="S-2026-0006"),
            setter("O-00019", "offered", value="2026-11-26"),
            setter("O-00019", "response", value=None),
        ),
        f"offers[{O19}].offered",
        "date after the decision lapsed (2026-11-25)",
    ),
    (
        "offer_unit_out_of_stock",
        setter("O-00019", "unit", value="U-0001"),
        f"offers[{O19}].unit",
        "not in stock on 2026-08-13",
    ),
    (
        "offer_unit_not_yet_in_stock",
        setter("U-0002", "in_stock_from", value="2026-08-14"),
        f"offers[{O19}].unit",
        "not in stock on 2026-08-13",
    ),
    (
        "response_before_offered",
        setter("O-00019", "response", "date", value="2026-08-12"),
        f"offers[{O19}].response.date",
        "date before offered",
    ),
    (
        "response_after_deadline",
        setter("O-00019", "response", "date", value="2026-08-21"),
        f"offers[{O19}].response.date",
        "after the response deadline 2026-08-20",
    ),
    # --- leases: dates in order, unit in stock
    ("moved_in_before_start", setter("L-00012", "moved_in", value="2026-09-01"), f"leases[{L12}].moved_in", "start"),
    (
        "moved_out_before_moved_in",
        setter("L-00012", "moved_out", value="2026-09-01"),
        f"leases[{L12}].moved_out",
        "date before moved_in",
    ),
    ("end_before_start", setter("L-00012", "end", value="2026-09-01"), f"leases[{L12}].end", "date before start"),
    (
        "lease_before_unit_in_stock",
        both(setter("U-0002", "in_stock_from", value="2026-09-03"), setter("O-00019", "offered", value="2026-09-03")),
        f"leases[{L12}].unit",
        "not in stock for the whole lease",
    ),
    (
        "unit_leaves_stock_before_lease_end",
        setter("U-0002", "in_stock_until", value="2029-08-31"),
        f"leases[{L12}].unit",
        "not in stock for the whole lease 2026-09-02..2029-09-01",
    ),
    (
        "open_lease_on_unit_leaving_stock",
        setter("U-0011", "in_stock_until", value="2030-01-01"),
        f"leases[{L11}].unit",
        "not in stock for the whole lease",
    ),
    (
        "unit_leaves_stock_before_moved_out",
        setter("U-0008", "in_stock_until", value="2026-10-31"),
        f"leases[{L10}].unit",
        "2026-04-10..2026-11-01",
    ),
    (
        "unit_stock_until_before_from",
        setter("U-0002", "in_stock_until", value="2024-12-30"),
        f"units[{U2}].in_stock_until",
        "before",
    ),
    # --- leases: no overlap in one unit or one household
    (
        "overlap_same_unit",
        setter("L-00006", "moved_out", value="2025-12-26"),
        f"leases[{L8}].start",
        f"overlaps leases[{L6}] ('L-00006') of the same unit 'U-0012'",
    ),
    (
        "overlap_same_unit_tenant_stayed",
        # no moved_out: the lease runs to its end, 2025-12-31, past the next lease's start
        setter("L-00006", "moved_out", value=None),
        f"leases[{L8}].start",
        "of the same unit",
    ),
    (
        "overlap_same_household",
        setter("L-00004", "moved_out", value="2025-12-26"),
        f"leases[{L8}].start",
        "of the same household 'H-0016'",
    ),
    (
        "overlap_open_ended",
        both(
            setter("L-00010", "moved_out", value=None),
            add_lease(unit="U-0008", household="H-0019", start="2027-01-01", end=None, short_term_reason=None),
        ),
        f"leases[{L13}].start",
        f"overlaps leases[{L10}] ('L-00010') of the same unit 'U-0008'",
    ),
    # --- leases: deposit and guarantee
    (
        "deposit_over_six_months",
        setter("L-00012", "deposit", value=6 * RENT_L12 + 1),
        f"leases[{L12}].deposit",
        f"more than 6 x monthly_rent ({6 * RENT_L12})",
    ),
    (
        "deposit_and_guarantee_over_six_months",
        both(setter("L-00012", "deposit", value=RENT_L12), setter("L-00012", "guarantee", value=5 * RENT_L12 + 1)),
        f"leases[{L12}].guarantee",
        "deposit + guarantee more than 6 x monthly_rent",
    ),
    # --- leases: short-term needs a reason; a second short-term lease in a row needs a stronger one
    (
        "short_term_without_reason",
        setter("L-00012", "end", value="2029-08-31"),
        f"leases[{L12}].short_term_reason",
        "required",
    ),
    (
        "short_term_reason_removed",
        setter("L-00002", "short_term_reason", value=None),
        f"leases[{L2}].short_term_reason",
        "required",
    ),
    (
        "short_term_reason_blank",
        setter("L-00002", "short_term_reason", value=" "),
        f"leases[{L2}].short_term_reason",
        "required",
    ),
    (
        "repeat_short_term_day_after",
        add_lease(),
        f"leases[{L13}].repeat_short_term_reason",
        f"right after short-term lease leases[{L2}] ('L-00002')",
    ),
    (
        "repeat_short_term_same_day_handover",
        add_lease(start="2024-12-11"),
        f"leases[{L13}].repeat_short_term_reason",
        "required",
    ),
    (
        "repeat_short_term_blank_reason",
        add_lease(repeat_short_term_reason=""),
        f"leases[{L13}].repeat_short_term_reason",
        "required",
    ),
    # --- arrears
    (
        "arrears_twice_same_date",
        lambda d: d["arrears"][1].update(as_of=d["arrears"][0]["as_of"]),
        "arrears[1].as_of",
        "second figure for this lease and date (first: arrears[0])",
    ),
    (
        "arrears_before_lease_start",
        lambda d: d["arrears"][8].update(as_of="2026-07-01"),
        "arrears[8].as_of",
        "date before the lease start (2026-07-02)",
    ),
    # --- temporary stays
    (
        "stay_end_before_start",
        lambda d: d["temporary_stays"][0].update(end="2023-09-13"),
        "temporary_stays[0].end",
        "date before start",
    ),
]

# (case, mutation) that keep the document valid: the edges of the rules above
VALID: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
    ("matrikkel_null", setter("U-0001", "matrikkel", value=None)),
    ("matrikkel_omitted", deleter("U-0001", "matrikkel")),
    ("lease_application_null", setter("L-00012", "application", value=None)),
    ("response_reason_null", setter("O-00019", "response", "reason", value=None)),
    ("response_on_last_day", setter("O-00019", "response", "date", value="2026-08-20")),
    ("response_on_offer_day", setter("O-00019", "response", "date", value="2026-08-13")),
    (
        "offer_on_lapse_day",
        both(
            setter("O-00019", "application", value="S-2026-0006"),
            setter("O-00019", "offered", value="2026-11-25"),
            setter("O-00019", "response", value=None),
        ),
    ),
    (
        "offer_on_decision_day",
        both(setter("O-00019", "offered", value="2026-06-13"), setter("O-00019", "response", value=None)),
    ),
    ("decided_on_received_day", setter("S-2018-0001", "decision", "decided", value="2018-06-15")),
    ("handover_same_unit", setter("L-00006", "moved_out", value="2025-12-25")),
    ("deposit_exactly_six_months", setter("L-00012", "deposit", value=6 * RENT_L12)),
    (
        "deposit_and_guarantee_exactly_six_months",
        both(setter("L-00012", "deposit", value=RENT_L12), setter("L-00012", "guarantee", value=5 * RENT_L12)),
    ),
    ("three_year_lease_is_not_short", setter("L-00012", "short_term_reason", value=None)),
    ("unit_leaves_stock_on_lease_end", setter("U-0002", "in_stock_until", value="2029-09-01")),
    ("unit_leaves_stock_on_moved_out_day", setter("U-0008", "in_stock_until", value="2026-11-01")),
    ("arrears_on_lease_start", lambda d: d["arrears"][8].update(as_of="2026-07-02")),
    ("repeat_short_term_with_reason", add_lease(repeat_short_term_reason="Tungtvegande grunnar: ventar på startlån")),
    ("short_term_after_gap", add_lease(start="2024-12-13", moved_in=None)),
    # L-00001 (H-0010 in U-0005) is a full three-year lease ending 2023-01-08
    ("short_term_after_long_lease", add_lease(household="H-0010", start="2023-01-09", end="2023-06-30")),
    ("short_term_in_other_unit", add_lease(unit="U-0003")),
    ("long_lease_after_short_one", add_lease(end="2027-12-11")),
    ("lease_without_end_or_move_in", add_lease(end=None, short_term_reason=None)),
    ("floor_below_ground", setter("U-0001", "floor", value=-1)),
    ("arrears_credit_balance", lambda d: d["arrears"][0].update(amount=-500)),
]


def test_parse_document__example_round_trips() -> None:
    assert serialise_document(parse_document(copy.deepcopy(EXAMPLE))) == EXAMPLE


def test_parse_document__example_reads_typed_values() -> None:
    doc = parse_document(copy.deepcopy(EXAMPLE))
    lease = doc.leases[L12]
    assert lease.start == dt.date(2026, 9, 2)
    assert lease.end == dt.date(2029, 9, 1)
    assert lease.monthly_rent == RENT_L12
    assert doc.units[ix("U-0015")].matrikkel is None
    assert doc.applications[S25_5].min_bedrooms_override == schema.BedroomOverride(
        bedrooms=1, reason="Dokumentert helsebehov for eit ekstra soverom"
    )
    assert doc.households[H1].members[0] == schema.Member(person="P-00001", role="applicant")
    assert [len(getattr(doc, name)) for name in _COLLECTIONS] == [len(EXAMPLE[name]) for name in _COLLECTIONS]


@pytest.mark.parametrize(("case", "mutate", "path", "fragment"), INVALID, ids=[row[0] for row in INVALID])
def test_parse_document__rejects(
    case: str, mutate: Callable[[dict[str, Any]], object], path: str, fragment: str
) -> None:
    errors = errors_of(mutated(mutate))
    matching = [error for error in errors if error.startswith(f"{path}: ")]
    assert matching, f"no error at {path!r} in {errors}"
    assert any(fragment in error for error in matching), f"{fragment!r} not in {matching}"


@pytest.mark.parametrize(("case", "mutate"), VALID, ids=[row[0] for row in VALID])
def test_parse_document__accepts(case: str, mutate: Callable[[dict[str, Any]], object]) -> None:
    parse_document(mutated(mutate))


def test_parse_document__not_an_object() -> None:
    assert errors_of([]) == ["$: expected a JSON object, got []"]


def test_parse_document__collects_every_error() -> None:
    doc = mutated(
        both(
            setter("S-2018-0001", "decision", "notified", value="2018-08-23"),
            setter("L-00012", "unit", value="U-99"),
            setter("U-0001", "lift", value="no"),
        )
    )
    errors = errors_of(doc)
    assert f"applications[{S18_1}].decision.notified: date before decided" in errors
    assert f"leases[{L12}].unit: unknown unit 'U-99'" in errors
    assert f'units[{U1}].lift: expected true or false, got "no"' in errors


def test_parse_document__broken_record_does_not_cascade() -> None:
    # U-0001's bad field must not turn every reference to U-0001 into an "unknown unit" error
    assert errors_of(mutated(setter("U-0001", "lift", value="no"))) == [
        f'units[{U1}].lift: expected true or false, got "no"'
    ]


def test_interchange_error__message_lists_errors() -> None:
    error = InterchangeError(["a: one", "b: two"])
    assert error.errors == ["a: one", "b: two"]
    assert str(error).endswith("a: one\nb: two")


def test_serialise_document__omits_matrikkel_only_when_none() -> None:
    doc = parse_document(copy.deepcopy(EXAMPLE))
    units = serialise_document(doc)["units"]
    assert "matrikkel" not in units[ix("U-0015")]
    assert units[U1]["matrikkel"] == EXAMPLE["units"][U1]["matrikkel"]


def test_serialise_document__keys_in_format_order() -> None:
    out = serialise_document(parse_document(copy.deepcopy(EXAMPLE)))
    assert list(out) == list(EXAMPLE)
    for name in _COLLECTIONS:
        for written, original in zip(out[name], EXAMPLE[name], strict=True):
            assert list(written) == list(original)


def test_serialise_document__empty_document() -> None:
    out = serialise_document(schema.Document())
    assert out == {"format": "stord-bolig/1", **{name: [] for name in _COLLECTIONS}}
    assert parse_document(out) == schema.Document()


@pytest.mark.parametrize("name", list(_COLLECTIONS))
def test_field_tables__match_schema_dataclasses(name: str) -> None:
    record = _COLLECTIONS[name]
    assert {f.key for f in record.fields} == {f.name for f in dataclasses.fields(record.cls)}
    for field_ in record.fields:
        if field_.record is not None:
            assert {f.key for f in field_.record.fields} == {f.name for f in dataclasses.fields(field_.record.cls)}
