"""Pure domain rules for cases: identity numbers, ages, bedroom need, legal deadlines, urgency.

No ORM here; every function is table-tested in tests/cases/test_rules.py. Paragraph references
of the law live in `LEGAL_BASIS` so a renumbering (new Public Administration Act) is one edit.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.no import fodselsnummer

# One place for every paragraph reference the product cites.
LEGAL_BASIS = {
    "preliminary_reply": "forvaltningslova § 11 a",
    "advance_notice": "forvaltningslova § 16",
    "access_to_documents": "forvaltningslova § 18",
    "reasons": "forvaltningslova §§ 24 og 25",
    "letter_content": "forvaltningslova § 27",
    "appeal_deadline": "forvaltningslova § 29",
    "appeal_deadline_counting": "domstollova §§ 148 og 149",
    "appeal_final": "forvaltningslova § 28 tredje ledd",
    "municipal_housing": "bustadsosiallova § 5 og kommunen sine tildelingskriterium",
    "housing_assistance": "bustadsosiallova § 7",
    # renewing a lease and swapping homes are judged by the same criteria as the allocation itself
    "renewal": "bustadsosiallova § 5 og kommunen sine tildelingskriterium",
    "swap": "bustadsosiallova § 5 og kommunen sine tildelingskriterium",
    "disadvantaged_lease": "husleigelova § 11-1",
    "lease_term": "husleigelova § 9-3",
    "lease_end": "husleigelova § 9-2",
    "deposit": "husleigelova § 3-5",
    "guarantee": "husleigelova § 3-6",
    "rent_indexation": "husleigelova § 4-2",
    "social_services_notice": "husleigelova § 9-11",
    # startlån is a loan from Husbanken the municipality lends on; the grant has its own regulation
    "startlan": "forskrift om lån frå Husbanken kapittel 5 (startlån)",
    "startlan_grant": "forskrift om tilskot til etablering i eigen bustad",
}

# Bokmål names of the acts, for letters written in bokmål.
_BOKMAL_ACT_NAMES = {
    "forvaltningslova": "forvaltningsloven",
    "bustadsosiallova": "boligsosialloven",
    "husleigelova": "husleieloven",
    "domstollova": "domstolloven",
    "kommunen sine tildelingskriterium": "kommunens tildelingskriterier",
    "forskrift om lån frå Husbanken": "forskrift om lån fra Husbanken",
    "forskrift om tilskot til etablering i eigen bustad": "forskrift om tilskudd til etablering i egen bolig",
}


def decision_legal_basis(recorded: str, kind: str) -> str:
    """The legal basis a decision cites: as recorded, else the act the kind of application rests on."""
    return recorded.strip() or LEGAL_BASIS.get(kind, "")


def legal_reference(text: str, language: str) -> str:
    """A paragraph reference in the letter's language (the references are kept in nynorsk)."""
    if language != "nb":
        return text
    for nynorsk, bokmal in _BOKMAL_ACT_NAMES.items():
        text = text.replace(nynorsk, bokmal)
    return text


APPEAL_BODIES = {
    "municipal_housing": "klagenemnda i Stord kommune",
    "swap": "klagenemnda i Stord kommune",
    "renewal": "klagenemnda i Stord kommune",
    "housing_assistance": "Statsforvaltaren i Vestland",
}

# The public holidays that move an appeal deadline (DOMAIN.md); 24 and 31 December are working days.
_HOLIDAY_NAMES = {
    "Første nyttårsdag",
    "Skjærtorsdag",
    "Langfredag",
    "Første påskedag",
    "Andre påskedag",
    "Arbeidernes dag",
    "Grunnlovsdag",
    "Kristi himmelfartsdag",
    "Første pinsedag",
    "Andre pinsedag",
    "Første juledag",
    "Andre juledag",
}


class InvalidNationalId(ValueError):
    """A fødselsnummer or D-nummer that fails the length, date or check-digit test; `reason` says which:
    "length", "kind" (an H-number or a synthetic number), "date" (no such day, or one in the future) or
    "checksum" (a typing error, most likely)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class NationalId:
    number: str
    birth_date: dt.date
    is_d_number: bool

    @property
    def masked(self) -> str:
        return mask_national_id(self.number)


def national_id_parse(value: str) -> NationalId:
    """Validate a fødselsnummer or D-nummer; the one place that knows the rules (incl. 2032's)."""
    number = fodselsnummer.compact(value or "")
    if len(number) != 11 or not number.isdigit():
        raise InvalidNationalId("must be 11 digits", "length")
    if int(number[2:4]) > 12:
        # H-numbers (month + 40) and synthetic numbers are not fødselsnummer or D-nummer.
        raise InvalidNationalId("not a fødselsnummer or D-nummer", "kind")
    try:
        fodselsnummer.validate(number)
        birth_date = fodselsnummer.get_birth_date(number)
    except InvalidChecksum as exc:
        raise InvalidNationalId(str(exc), "checksum") from exc
    except ValidationError as exc:
        raise InvalidNationalId(str(exc), "date") from exc
    return NationalId(number=number, birth_date=birth_date, is_d_number=int(number[0]) >= 4)


def mask_national_id(number: str) -> str:
    """Show the first six digits (birth date) and hide the personal part."""
    number = (number or "").strip()
    if len(number) != 11:
        return "•" * len(number)
    return number[:6] + " •••••"


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the target month's last day (31 Jan + 1 = 28/29 Feb)."""
    year, month0 = divmod(day.year * 12 + (day.month - 1) + months, 12)
    # Every month has a 28th, so only later days need the month's length. The reminder sweep calls this
    # a few times per lease; calendar.monthrange (which also works out a weekday) was a third of its rules.
    if day.day <= 28:
        return dt.date(year, month0 + 1, day.day)
    last = 29 if month0 == 1 and calendar.isleap(year) else _MONTH_DAYS[month0]
    return dt.date(year, month0 + 1, min(day.day, last))


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years; someone born 29 February turns a year older on 1 March in common years."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class MemberAge:
    role: str  # applicant | partner | child | other_adult
    birth_date: dt.date


def bedroom_need(members: Iterable[MemberAge], on: dt.date) -> int:
    """Bedrooms a household needs on `on` by the default policy in DOMAIN.md."""
    present = [m for m in members if m.birth_date <= on]
    if len(present) <= 1:
        return 0  # a single adult living alone: a studio is acceptable
    need = 1  # applicant, with partner if any
    small_children = 0
    for member in present:
        if member.role in ("applicant", "partner"):
            continue
        age = age_on(member.birth_date, on)
        if age >= 18:
            need += 1
        elif age >= 12:
            need += 1
        else:
            small_children += 1
    return need + math.ceil(small_children / 2)


# The kinds of case forvaltningslova § 11 a's preliminary reply is tracked for (decisions expected to take a month).
PRELIMINARY_REPLY_KINDS = ("municipal_housing", "housing_assistance")


def preliminary_reply_due(received: dt.date) -> dt.date:
    """Forvaltningslova § 11 a: one calendar month after receipt."""
    return add_months(received, 1)


def preliminary_reply_overdue_received_before(today: dt.date) -> dt.date:
    """Applications received before this date have their preliminary reply due before `today` (overdue).

    Not simply today − 1 month: with month-end clamping, on 30 March a case received 28 February
    (due 28 March) is overdue although 28 February is not before 30 March − 1 month.
    """
    day = add_months(today, -1)
    while preliminary_reply_due(day) < today:
        day += dt.timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def _norwegian_holidays(year: int) -> frozenset[dt.date]:
    calendar_ = holidays.country_holidays("NO", years=year, include_sundays=False, language="no")
    # Two holidays on one day come back as one joined name ("Andre pinsedag; Grunnlovsdag", 17 May 2027).
    return frozenset(
        day for day, name in calendar_.items() if any(part.strip() in _HOLIDAY_NAMES for part in name.split(";"))
    )


def is_public_holiday(day: dt.date) -> bool:
    return day in _norwegian_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day)


def next_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def appeal_deadline(notified: dt.date) -> dt.date:
    """Forvaltningslova § 29: three weeks from notification, rolled to the next working day."""
    return next_working_day(notified + dt.timedelta(weeks=3))


HOMELESS_ACUTE = ("homeless_1", "homeless_2", "homeless_3", "homeless_4")


def urgency_suggest(
    *, housing_situation: str, children_in_unsuitable_housing: bool = False, documented_health_need: bool = False
) -> str:
    """The band DOMAIN.md suggests from the assessment; the caseworker sets the final band."""
    if housing_situation in HOMELESS_ACUTE:
        return "A"
    if housing_situation == "homeless_5" or children_in_unsuitable_housing or documented_health_need:
        return "B"
    return "C"


def bedroom_need_valid_until(members: Iterable[MemberAge], on: dt.date) -> dt.date | None:
    """The first day after `on` on which `bedroom_need` may give another answer (a birth, a 12th or 18th birthday)."""
    changes = []
    for member in members:
        if member.birth_date > on:
            changes.append(member.birth_date)
        if member.role in ("applicant", "partner"):
            continue
        for years in (12, 18):
            birthday = add_months(member.birth_date, years * 12)
            if (member.birth_date.month, member.birth_date.day) == (2, 29) and birthday.day == 28:
                birthday += dt.timedelta(days=1)  # born 29 February: a year older on 1 March in common years
            if birthday > on:
                changes.append(birthday)
    return min(changes) if changes else None
