"""Typed records of the `stord-bolig/1` interchange format.

Field names and value sets follow the format exactly, so that parse -> serialise is the identity
on valid documents (order and unknown keys aside).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

FORMAT = "stord-bolig/1"

UNIT_TYPES = ("flat", "small_house", "terraced", "care_home")
OWNERSHIPS = ("owned", "leased", "private_allocation_right")
TARGET_GROUPS = ("ordinary", "housing_first", "care", "substance_use")
MEMBER_ROLES = ("applicant", "partner", "child", "other_adult")
APPLICATION_KINDS = ("municipal_housing", "housing_assistance", "renewal", "swap")
HOUSING_SITUATIONS = (
    "homeless_1",
    "homeless_2",
    "homeless_3",
    "homeless_4",
    "homeless_5",
    "own_rented",
    "own_owned",
    "with_family",
    "institution_other",
)
MAIN_REASONS = (
    "adapted_housing",
    "refugee",
    "mental_illness",
    "substance_use",
    "mental_and_substance",
    "other",
    "not_needs_tested",
)
URGENCY_BANDS = ("A", "B", "C")
DECISION_OUTCOMES = ("granted", "refused")
APPEAL_OUTCOMES = ("pending", "reversed", "upheld")
OFFER_ANSWERS = ("accepted", "refused")
LEASE_OUTCOMES = (
    "renewed",
    "moved_private_rental",
    "bought_with_startlan",
    "moved_other_municipal",
    "moved_institution",
    "evicted",
    "deceased",
    "other",
)
STAY_KINDS = ("natthjem", "hospits", "pensjonat", "camping", "other")


@dataclass
class Unit:
    ref: str
    address: str
    unit_type: str
    ownership: str
    bedrooms: int
    area_m2: int
    floor: int
    lift: bool
    wheelchair_accessible: bool
    target_group: str
    fire_sprinkler: bool
    fire_alarm_connected: bool
    monthly_rent: int
    in_stock_from: dt.date
    in_stock_until: dt.date | None
    matrikkel: str | None = None

    def in_stock_on(self, day: dt.date) -> bool:
        return self.in_stock_from <= day and (self.in_stock_until is None or day <= self.in_stock_until)


@dataclass
class Person:
    ref: str
    national_id: str
    given_name: str
    family_name: str
    birth_date: dt.date


@dataclass
class Member:
    person: str
    role: str


@dataclass
class Household:
    ref: str
    members: list[Member]


@dataclass
class BedroomOverride:
    bedrooms: int
    reason: str


@dataclass
class Decision:
    outcome: str
    decided: dt.date
    notified: dt.date
    lapsed: dt.date | None


@dataclass
class Appeal:
    received: dt.date
    outcome: str


@dataclass
class Application:
    ref: str
    household: str
    kind: str
    received: dt.date
    housing_situation: str
    main_reason: str
    urgency: str
    target_group: str
    wheelchair_need: bool
    min_bedrooms_override: BedroomOverride | None
    preliminary_reply_sent: dt.date | None
    decision: Decision | None
    appeal: Appeal | None
    suspended_until: dt.date | None


@dataclass
class OfferResponse:
    answer: str
    date: dt.date
    reason: str | None


@dataclass
class Offer:
    ref: str
    application: str
    unit: str
    offered: dt.date
    response: OfferResponse | None


@dataclass
class Lease:
    ref: str
    unit: str
    household: str
    application: str | None
    start: dt.date
    end: dt.date | None
    short_term_reason: str | None
    repeat_short_term_reason: str | None
    monthly_rent: int
    deposit: int
    guarantee: int
    moved_in: dt.date | None
    moved_out: dt.date | None
    renewal_decided: dt.date | None
    move_out_demand_sent: dt.date | None
    last_circulation_review: dt.date | None
    financial_advice_referral: dt.date | None
    outcome: str | None

    def active_on(self, day: dt.date) -> bool:
        """Started, not moved out before `day`, end not passed (the moved-out day still counts)."""
        return (
            self.start <= day
            and (self.moved_out is None or self.moved_out >= day)
            and (self.end is None or self.end >= day)
        )


@dataclass
class Arrears:
    lease: str
    as_of: dt.date
    amount: int


@dataclass
class TemporaryStay:
    household: str
    kind: str
    start: dt.date
    end: dt.date | None
    children_present: bool


@dataclass
class Document:
    units: list[Unit] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    leases: list[Lease] = field(default_factory=list)
    arrears: list[Arrears] = field(default_factory=list)
    temporary_stays: list[TemporaryStay] = field(default_factory=list)
