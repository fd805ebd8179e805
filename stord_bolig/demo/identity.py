"""Synthetic, valid fødselsnummer for demo and test data (never a real person's: individual numbers 900+)."""

from __future__ import annotations

import datetime as dt

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


def synthetic_national_id(birth_date: dt.date, serial: int = 0, *, d_number: bool = False) -> str:
    """A valid 11-digit number for `birth_date`; `serial` picks among the valid individual numbers."""
    day = birth_date.day + (40 if d_number else 0)
    base = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
    # Individual numbers 900-999 serve 1940-1999 and 500-999 serve 2000-2039; 000-499 serve 1900-1999.
    start = 999 if birth_date.year >= 1940 else 499
    seen = 0
    for individual in range(start, start - 500, -1):
        digits = [int(c) for c in f"{base}{individual:03d}"]
        k1 = _check(digits, _W1)
        if k1 is None:
            continue
        k2 = _check([*digits, k1], _W2)
        if k2 is None:
            continue
        if seen == serial:
            return f"{base}{individual:03d}{k1}{k2}"
        seen += 1
    raise ValueError("no valid number for that date and serial")
