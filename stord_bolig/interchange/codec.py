"""Parse and serialise `stord-bolig/1` documents (see /work/shared/spec/interchange.md).

`parse_document` checks the shape of every record (exact keys, types, enums, dates) and then every
cross-record rule of the format's "Validation on import"; it collects all problems it can find and
raises one `InterchangeError`. `serialise_document` is its inverse. Pure Python: no Django, no ORM.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cases.rules import InvalidNationalId, add_months, national_id_parse
from stord_bolig.interchange import schema as s

__all__ = ["InterchangeError", "parse_document", "serialise_document"]

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ONE_DAY = dt.timedelta(days=1)
OFFER_RESPONSE_DAYS = 7  # DOMAIN.md "Offers": the answer is due 7 days after the offer date
MAX_DEPOSIT_MONTHS = 6  # husleigelova §§ 3-5 and 3-6
MIN_LEASE_MONTHS = 36  # husleigelova § 9-3: shorter leases are short-term


class InterchangeError(Exception):
    """A document that breaks the format; `errors` lists every problem found, each prefixed by its JSON path."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s) in the document:\n" + "\n".join(self.errors))


# --- the shape of the format: one table drives both reading and writing -------------------------


@dataclass(frozen=True)
class _Field:
    key: str
    kind: str  # str | text (non-blank str) | int | bool | date | enum | object | list
    nullable: bool = False
    optional: bool = False  # may be left out of the document (only `matrikkel`)
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    record: _Record | None = None  # for object and list


@dataclass(frozen=True)
class _Record:
    cls: type
    fields: tuple[_Field, ...]


def _f(key: str, kind: str, **options: Any) -> _Field:
    return _Field(key, kind, **options)


def _enum(key: str, choices: tuple[str, ...], *, nullable: bool = False) -> _Field:
    return _Field(key, "enum", nullable=nullable, choices=choices)


def _date(key: str, *, nullable: bool = False) -> _Field:
    return _Field(key, "date", nullable=nullable)


def _count(key: str) -> _Field:
    return _Field(key, "int", minimum=0)


_UNIT = _Record(
    s.Unit,
    (
        _f("ref", "text"),
        _f("address", "str"),
        _f("matrikkel", "str", nullable=True, optional=True),
        _enum("unit_type", s.UNIT_TYPES),
        _enum("ownership", s.OWNERSHIPS),
        _count("bedrooms"),
        _count("area_m2"),
        _f("floor", "int"),  # a basement flat may be on floor -1
        _f("lift", "bool"),
        _f("wheelchair_accessible", "bool"),
        _enum("target_group", s.TARGET_GROUPS),
        _f("fire_sprinkler", "bool"),
        _f("fire_alarm_connected", "bool"),
        _count("monthly_rent"),
        _date("in_stock_from"),
        _date("in_stock_until", nullable=True),
    ),
)
_PERSON = _Record(
    s.Person,
    (
        _f("ref", "text"),
        _f("national_id", "str"),
        _f("given_name", "str"),
        _f("family_name", "str"),
        _date("birth_date"),
    ),
)
_MEMBER = _Record(s.Member, (_f("person", "text"), _enum("role", s.MEMBER_ROLES)))
_HOUSEHOLD = _Record(s.Household, (_f("ref", "text"), _f("members", "list", record=_MEMBER)))
_OVERRIDE = _Record(s.BedroomOverride, (_count("bedrooms"), _f("reason", "text")))
_DECISION = _Record(
    s.Decision,
    (
        _enum("outcome", s.DECISION_OUTCOMES),
        _date("decided"),
        _date("notified"),
        _date("lapsed", nullable=True),
    ),
)
_APPEAL = _Record(s.Appeal, (_date("received"), _enum("outcome", s.APPEAL_OUTCOMES)))
_APPLICATION = _Record(
    s.Application,
    (
        _f("ref", "text"),
        _f("household", "text"),
        _enum("kind", s.APPLICATION_KINDS),
        _date("received"),
        _enum("housing_situation", s.HOUSING_SITUATIONS),
        _enum("main_reason", s.MAIN_REASONS),
        _enum("urgency", s.URGENCY_BANDS),
        _enum("target_group", s.TARGET_GROUPS),
        _f("wheelchair_need", "bool"),
        _f("min_bedrooms_override", "object", nullable=True, record=_OVERRIDE),
        _date("preliminary_reply_sent", nullable=True),
        _f("decision", "object", nullable=True, record=_DECISION),
        _f("appeal", "object", nullable=True, record=_APPEAL),
        _date("suspended_until", nullable=True),
    ),
)
_RESPONSE = _Record(
    s.OfferResponse,
    (_enum("answer", s.OFFER_ANSWERS), _date("date"), _f("reason", "str", nullable=True)),
)
_OFFER = _Record(
    s.Offer,
    (
        _f("ref", "text"),
        _f("application", "text"),
        _f("unit", "text"),
        _date("offered"),
        _f("response", "object", nullable=True, record=_RESPONSE),
    ),
)
_LEASE = _Record(
    s.Lease,
    (
        _f("ref", "text"),
        _f("unit", "text"),
        _f("household", "text"),
        _f("application", "text", nullable=True),
        _date("start"),
        _date("end", nullable=True),
        _f("short_term_reason", "str", nullable=True),
        _f("repeat_short_term_reason", "str", nullable=True),
        _count("monthly_rent"),
        _count("deposit"),
        _count("guarantee"),
        _date("moved_in", nullable=True),
        _date("moved_out", nullable=True),
        _date("renewal_decided", nullable=True),
        _date("move_out_demand_sent", nullable=True),
        _date("last_circulation_review", nullable=True),
        _date("financial_advice_referral", nullable=True),
        _enum("outcome", s.LEASE_OUTCOMES, nullable=True),
    ),
)
# An arrears amount is not bounded below: a ledger may show a credit balance.
_ARREARS = _Record(s.Arrears, (_f("lease", "text"), _date("as_of"), _f("amount", "int")))
_STAY = _Record(
    s.TemporaryStay,
    (
        _f("household", "text"),
        _enum("kind", s.STAY_KINDS),
        _date("start"),
        _date("end", nullable=True),
        _f("children_present", "bool"),
    ),
)

# Top-level collections in the order of the format.
_COLLECTIONS: dict[str, _Record] = {
    "units": _UNIT,
    "people": _PERSON,
    "households": _HOUSEHOLD,
    "applications": _APPLICATION,
    "offers": _OFFER,
    "leases": _LEASE,
    "arrears": _ARREARS,
    "temporary_stays": _STAY,
}
_REF_COLLECTIONS = ("units", "people", "households", "applications", "offers", "leases")


# --- reading ------------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def _show(value: Any) -> str:
    """A short JSON rendering of a bad value for an error message."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _ref(ref: str) -> str:
    """A ref as error messages quote it: `unknown unit 'U-99'`."""
    return f"'{ref}'"


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _read_record(raw: Any, record: _Record, path: str, errors: _Errors) -> Any | None:
    """The record built from `raw`, or None (with errors added) when any of its keys or values is wrong."""
    if not isinstance(raw, dict):
        errors.add(path, f"expected an object, got {_show(raw)}")
        return None
    before = len(errors.items)
    known = {f.key for f in record.fields}
    for key in raw:
        if key not in known:
            errors.add(_join(path, key), "unknown key")
    values: dict[str, Any] = {}
    for field_ in record.fields:
        key_path = _join(path, field_.key)
        if field_.key not in raw:
            if field_.optional:
                values[field_.key] = None
            else:
                errors.add(key_path, "missing key")
            continue
        values[field_.key] = _read_value(raw[field_.key], field_, key_path, errors)
    if len(errors.items) > before:
        return None
    return record.cls(**values)


def _read_value(value: Any, field_: _Field, path: str, errors: _Errors) -> Any:
    """The typed value of one key, or None with an error added when it does not fit the format."""
    if value is None:
        if not field_.nullable:
            errors.add(path, "must not be null")
        return None
    kind = field_.kind
    if kind in ("str", "text"):
        if not isinstance(value, str):
            errors.add(path, f"expected a string, got {_show(value)}")
        elif kind == "text" and not value.strip():
            errors.add(path, "must not be empty")
        else:
            return value
    elif kind == "int":
        # bool is a subclass of int in Python but not a number in the format
        if not isinstance(value, int) or isinstance(value, bool):
            errors.add(path, f"expected an integer, got {_show(value)}")
        elif field_.minimum is not None and value < field_.minimum:
            errors.add(path, f"must be at least {field_.minimum}, got {value}")
        else:
            return value
    elif kind == "bool":
        if not isinstance(value, bool):
            errors.add(path, f"expected true or false, got {_show(value)}")
        else:
            return value
    elif kind == "date":
        return _read_date(value, path, errors)
    elif kind == "enum":
        if not isinstance(value, str) or value not in field_.choices:
            errors.add(path, f"expected one of {', '.join(field_.choices)}, got {_show(value)}")
        else:
            return value
    elif kind == "object":
        assert field_.record is not None
        return _read_record(value, field_.record, path, errors)
    elif kind == "list":
        assert field_.record is not None
        if not isinstance(value, list):
            errors.add(path, f"expected a list, got {_show(value)}")
            return None
        return [_read_record(item, field_.record, f"{path}[{i}]", errors) for i, item in enumerate(value)]
    else:  # pragma: no cover - the field table is static
        raise AssertionError(f"unknown field kind {kind!r}")
    return None


def _read_date(value: Any, path: str, errors: _Errors) -> dt.date | None:
    # fromisoformat alone would also take "20260301" and week dates; the format says YYYY-MM-DD.
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        errors.add(path, f"expected a date YYYY-MM-DD, got {_show(value)}")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.add(path, f"not a calendar date: {_show(value)}")
        return None


# --- cross-record rules -------------------------------------------------------------------------


def _occupied_until(lease: s.Lease) -> dt.date | None:
    """The last day the lease is active (the earlier of end and moved_out); None for an open-ended occupancy."""
    days = [day for day in (lease.end, lease.moved_out) if day is not None]
    return min(days) if days else None


def _spans_overlap(a: s.Lease, b: s.Lease) -> bool:
    """True when two leases share more than a handover day (old lease's last day == new lease's start)."""
    lasts = [day for day in (_occupied_until(a), _occupied_until(b)) if day is not None]
    if len(lasts) < 2:
        # an open-ended span reaches every later day; only the bounded one (if any) can end first
        return not lasts or max(a.start, b.start) < lasts[0]
    return max(a.start, b.start) < min(lasts)


def _is_short_term(lease: s.Lease) -> bool:
    """Husleigelova § 9-3: a lease whose day after the end comes before start + 36 months."""
    return lease.end is not None and lease.end + _ONE_DAY < add_months(lease.start, MIN_LEASE_MONTHS)


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


_Rows = list[tuple[int, Any]]


class _Checker:
    """Runs the cross-record rules over the records that parsed; paths use their index in the document."""

    def __init__(self, rows: dict[str, _Rows], refs: dict[str, set[str]], errors: _Errors) -> None:
        self.rows = rows
        self.refs = refs
        self.errors = errors
        # first record per ref; duplicates are reported separately and ignored here
        self.by_ref: dict[str, dict[str, tuple[int, Any]]] = {}
        for name in _REF_COLLECTIONS:
            index: dict[str, tuple[int, Any]] = {}
            for i, record in rows[name]:
                index.setdefault(record.ref, (i, record))
            self.by_ref[name] = index

    def resolve(self, path: str, collection: str, what: str, ref: str) -> Any | None:
        """The referenced record; an error when the ref names nothing (None also when it names a broken record)."""
        if ref not in self.refs[collection]:
            self.errors.add(path, f"unknown {what} {_ref(ref)}")
            return None
        found = self.by_ref[collection].get(ref)
        return found[1] if found else None

    def run(self) -> None:
        self.check_units()
        self.check_people()
        self.check_households()
        self.check_applications()
        self.check_offers()
        self.check_leases()
        self.check_lease_overlaps()
        self.check_repeat_short_term()
        self.check_arrears()
        self.check_stays()

    def check_units(self) -> None:
        for i, unit in self.rows["units"]:
            if unit.in_stock_until is not None and unit.in_stock_until < unit.in_stock_from:
                self.errors.add(f"units[{i}].in_stock_until", "date before in_stock_from")

    def check_people(self) -> None:
        for i, person in self.rows["people"]:
            path = f"people[{i}].national_id"
            number = person.national_id
            # the format carries the bare 11 digits; spaces or dashes would not round-trip
            if len(number) != 11 or not number.isdigit():
                self.errors.add(path, f"expected 11 digits, got {_show(number)}")
                continue
            try:
                parsed = national_id_parse(number)
            except InvalidNationalId as exc:
                self.errors.add(path, f"invalid fødselsnummer or D-nummer: {exc}")
                continue
            if parsed.birth_date != person.birth_date:
                encoded, given = parsed.birth_date.isoformat(), person.birth_date.isoformat()
                self.errors.add(path, f"encodes birth date {encoded}, but birth_date is {given}")

    def check_households(self) -> None:
        member_of: dict[str, str] = {}
        for i, household in self.rows["households"]:
            roles = [member.role for member in household.members]
            if roles.count("applicant") != 1:
                self.errors.add(
                    f"households[{i}].members", f"expected exactly one applicant, found {roles.count('applicant')}"
                )
            if roles.count("partner") > 1:
                self.errors.add(f"households[{i}].members", f"at most one partner, found {roles.count('partner')}")
            for j, member in enumerate(household.members):
                path = f"households[{i}].members[{j}].person"
                self.resolve(path, "people", "person", member.person)
                if member.person in member_of:
                    self.errors.add(
                        path, f"person {_ref(member.person)} is already a member of {member_of[member.person]}"
                    )
                else:
                    member_of[member.person] = f"households[{i}]"

    def check_applications(self) -> None:
        for i, app in self.rows["applications"]:
            path = f"applications[{i}]"
            self.resolve(f"{path}.household", "households", "household", app.household)
            if app.preliminary_reply_sent is not None and app.preliminary_reply_sent < app.received:
                self.errors.add(f"{path}.preliminary_reply_sent", "date before received")
            decision = app.decision
            if decision is not None:
                if decision.decided < app.received:
                    self.errors.add(f"{path}.decision.decided", "date before received")
                if decision.notified < decision.decided:
                    self.errors.add(f"{path}.decision.notified", "date before decided")
                if decision.lapsed is not None:
                    if decision.outcome != "granted":
                        self.errors.add(f"{path}.decision.lapsed", "only a granted decision can lapse")
                    elif decision.lapsed < decision.decided:
                        self.errors.add(f"{path}.decision.lapsed", "date before decided")
            granted = decision is not None and decision.outcome == "granted"
            if app.suspended_until is not None and not granted:
                self.errors.add(
                    f"{path}.suspended_until", "only an application with a granted decision can be suspended"
                )

    def check_offers(self) -> None:
        for i, offer in self.rows["offers"]:
            path = f"offers[{i}]"
            app = self.resolve(f"{path}.application", "applications", "application", offer.application)
            unit = self.resolve(f"{path}.unit", "units", "unit", offer.unit)
            if app is not None:
                decision = app.decision
                if decision is None or decision.outcome != "granted":
                    self.errors.add(f"{path}.application", f"application {_ref(app.ref)} has no granted decision")
                else:
                    if offer.offered < decision.decided:
                        self.errors.add(f"{path}.offered", f"date before the decision ({decision.decided.isoformat()})")
                    if decision.lapsed is not None and offer.offered > decision.lapsed:
                        self.errors.add(
                            f"{path}.offered", f"date after the decision lapsed ({decision.lapsed.isoformat()})"
                        )
            if unit is not None and not unit.in_stock_on(offer.offered):
                self.errors.add(f"{path}.unit", f"unit {_ref(unit.ref)} is not in stock on {offer.offered.isoformat()}")
            if offer.response is not None:
                deadline = offer.offered + dt.timedelta(days=OFFER_RESPONSE_DAYS)
                if offer.response.date < offer.offered:
                    self.errors.add(f"{path}.response.date", "date before offered")
                elif offer.response.date > deadline:
                    self.errors.add(f"{path}.response.date", f"date after the response deadline {deadline.isoformat()}")

    def check_leases(self) -> None:
        for i, lease in self.rows["leases"]:
            path = f"leases[{i}]"
            unit = self.resolve(f"{path}.unit", "units", "unit", lease.unit)
            self.resolve(f"{path}.household", "households", "household", lease.household)
            if lease.application is not None:
                self.resolve(f"{path}.application", "applications", "application", lease.application)
            if lease.end is not None and lease.end < lease.start:
                self.errors.add(f"{path}.end", "date before start")
            if lease.moved_in is not None and lease.moved_in < lease.start:
                self.errors.add(f"{path}.moved_in", "date before start")
            if lease.moved_out is not None and lease.moved_in is not None and lease.moved_out < lease.moved_in:
                self.errors.add(f"{path}.moved_out", "date before moved_in")
            if unit is not None:
                self.check_lease_in_stock(path, lease, unit)
            limit = MAX_DEPOSIT_MONTHS * lease.monthly_rent
            if lease.deposit > limit:
                self.errors.add(f"{path}.deposit", f"more than {MAX_DEPOSIT_MONTHS} x monthly_rent ({limit})")
            elif lease.deposit + lease.guarantee > limit:
                # only when the deposit alone is within the limit: otherwise it is the same fault twice
                self.errors.add(
                    f"{path}.guarantee", f"deposit + guarantee more than {MAX_DEPOSIT_MONTHS} x monthly_rent ({limit})"
                )
            if _is_short_term(lease) and _blank(lease.short_term_reason):
                self.errors.add(f"{path}.short_term_reason", "required for a short-term lease (shorter than 3 years)")

    def check_lease_in_stock(self, path: str, lease: s.Lease, unit: s.Unit) -> None:
        # The lease must be in stock on every day it is active: start .. the earlier of end and moved_out
        # (the spec's "active" definition). So a tenant who moved out early lets the unit leave the stock
        # before the contractual end (e.g. an innleigd unit handed back), while an open-ended lease
        # nobody has moved out of needs a unit with no in_stock_until.
        last = _occupied_until(lease)
        ok = unit.in_stock_from <= lease.start and (
            unit.in_stock_until is None or (last is not None and last <= unit.in_stock_until)
        )
        if not ok:
            until = unit.in_stock_until.isoformat() if unit.in_stock_until else ""
            span = f"{lease.start.isoformat()}..{last.isoformat() if last else ''}"
            self.errors.add(
                f"{path}.unit",
                f"unit {_ref(unit.ref)} (in stock {unit.in_stock_from.isoformat()}..{until}) "
                f"is not in stock for the whole lease {span}",
            )

    def _groups(self, key: str) -> Iterator[list[tuple[int, s.Lease]]]:
        groups: dict[str, list[tuple[int, s.Lease]]] = defaultdict(list)
        for i, lease in self.rows["leases"]:
            groups[getattr(lease, key)].append((i, lease))
        for members in groups.values():
            yield sorted(members, key=lambda row: (row[1].start, row[0]))

    def check_lease_overlaps(self) -> None:
        for key in ("unit", "household"):
            for group in self._groups(key):
                for n, (j, later) in enumerate(group):
                    for i, earlier in group[:n]:
                        if _spans_overlap(earlier, later):
                            subject = _ref(getattr(later, key))
                            self.errors.add(
                                f"leases[{j}].start",
                                f"overlaps leases[{i}] ({_ref(earlier.ref)}) of the same {key} {subject}",
                            )

    def check_repeat_short_term(self) -> None:
        # A short-term lease *directly follows* the household's previous lease of the same unit when it starts
        # no later than the day after that lease's end (a same-day handover included). A gap, even one the
        # tenant spent staying on after the end, is not "directly following" in the format's words.
        groups: dict[tuple[str, str], list[tuple[int, s.Lease]]] = defaultdict(list)
        for i, lease in self.rows["leases"]:
            groups[(lease.household, lease.unit)].append((i, lease))
        for group in groups.values():
            group.sort(key=lambda row: (row[1].start, row[0]))
            for n, (i, lease) in enumerate(group):
                if not _is_short_term(lease) or not _blank(lease.repeat_short_term_reason):
                    continue
                earlier = [row for row in group[:n] if row[1].start < lease.start]
                if not earlier:
                    continue
                k, previous = earlier[-1]
                if _is_short_term(previous) and lease.start <= previous.end + _ONE_DAY:
                    self.errors.add(
                        f"leases[{i}].repeat_short_term_reason",
                        f"required: short-term lease right after short-term lease leases[{k}] ({_ref(previous.ref)})",
                    )

    def check_arrears(self) -> None:
        seen: dict[tuple[str, dt.date], int] = {}
        for i, figure in self.rows["arrears"]:
            path = f"arrears[{i}]"
            lease = self.resolve(f"{path}.lease", "leases", "lease", figure.lease)
            key = (figure.lease, figure.as_of)
            if key in seen:
                self.errors.add(
                    f"{path}.as_of", f"a second figure for this lease and date (first: arrears[{seen[key]}])"
                )
            else:
                seen[key] = i
            if lease is not None and figure.as_of < lease.start:
                self.errors.add(f"{path}.as_of", f"date before the lease start ({lease.start.isoformat()})")

    def check_stays(self) -> None:
        for i, stay in self.rows["temporary_stays"]:
            self.resolve(f"temporary_stays[{i}].household", "households", "household", stay.household)
            if stay.end is not None and stay.end < stay.start:
                self.errors.add(f"temporary_stays[{i}].end", "date before start")


def parse_document(data: dict[str, Any]) -> s.Document:
    """A fully validated Document for a valid `stord-bolig/1` document, else InterchangeError listing every error."""
    if not isinstance(data, dict):
        raise InterchangeError([f"$: expected a JSON object, got {_show(data)}"])
    errors = _Errors()
    for key in data:
        if key != "format" and key not in _COLLECTIONS:
            errors.add(str(key), "unknown key")
    if "format" not in data:
        errors.add("format", "missing key")
    elif data["format"] != s.FORMAT:
        errors.add("format", f"expected {_show(s.FORMAT)}, got {_show(data['format'])}")

    rows: dict[str, _Rows] = {}
    refs: dict[str, set[str]] = {}
    complete = True  # every record parsed: only then can a Document be built
    for name, record in _COLLECTIONS.items():
        rows[name] = []
        refs[name] = set()
        if name not in data:
            errors.add(name, "missing key")
            complete = False
            continue
        raw_items = data[name]
        if not isinstance(raw_items, list):
            errors.add(name, f"expected a list, got {_show(raw_items)}")
            complete = False
            continue
        first_at: dict[str, int] = {}
        for i, raw in enumerate(raw_items):
            parsed = _read_record(raw, record, f"{name}[{i}]", errors)
            if parsed is None:
                complete = False
            else:
                rows[name].append((i, parsed))
            # Refs of broken records still count as known, so one bad field does not cascade into
            # "unknown ..." errors everywhere the record is referred to.
            ref = raw.get("ref") if isinstance(raw, dict) else None
            if name in _REF_COLLECTIONS and isinstance(ref, str):
                if ref in first_at:
                    errors.add(f"{name}[{i}].ref", f"duplicate ref {_ref(ref)} (first: {name}[{first_at[ref]}])")
                else:
                    first_at[ref] = i
                refs[name].add(ref)

    _Checker(rows, refs, errors).run()
    if errors.items or not complete:
        raise InterchangeError(errors.items)
    return s.Document(**{name: [record for _, record in rows[name]] for name in _COLLECTIONS})


# --- writing ------------------------------------------------------------------------------------


def _write_record(obj: Any, record: _Record) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field_ in record.fields:
        value = getattr(obj, field_.key)
        if value is None and field_.optional:
            # `matrikkel` may be left out; leaving it out when unknown round-trips documents that do so
            continue
        out[field_.key] = _write_value(value, field_)
    return out


def _write_value(value: Any, field_: _Field) -> Any:
    if value is None:
        return None
    if field_.kind == "date":
        return value.isoformat()
    if field_.kind == "object":
        assert field_.record is not None
        return _write_record(value, field_.record)
    if field_.kind == "list":
        assert field_.record is not None
        return [_write_record(item, field_.record) for item in value]
    return value


def serialise_document(doc: s.Document) -> dict[str, Any]:
    """The `stord-bolig/1` JSON object for `doc`, records in the order they are in `doc`; inverse of parse_document."""
    out: dict[str, Any] = {"format": s.FORMAT}
    for name, record in _COLLECTIONS.items():
        out[name] = [_write_record(item, record) for item in getattr(doc, name)]
    return out
