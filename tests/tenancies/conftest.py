"""Helpers for the tenancies service and view tests: the example register, the expected reminders, a pinned day.

Nothing here is autouse, so the pure rule tests in this folder are unaffected.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from stord_bolig.interchange.codec import parse_document
from stord_bolig.interchange.schema import Document
from tenancies import rules
from tenancies.models import Reminder
from tests.allocation.conftest import DAY, OSLO, TODAY, pinned_today, run_together  # noqa: F401 - re-exported

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example.json"

Key = tuple[str, str, str, dt.date]  # (kind, subject kind, subject ref, due)


def example_data() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def example_document() -> Document:
    return parse_document(example_data())


def import_example(*, caseworker, others: dict | None = None) -> None:
    """Import tests/data/example.json and give every case to `caseworker`, some (`{ref: user}`) to others."""
    from cases.models import Application
    from stord_bolig.interchange.service import records_import

    records_import(example_data())
    Application.objects.update(assigned_to=caseworker)
    for ref, user in (others or {}).items():
        Application.objects.filter(ref=ref).update(assigned_to=user)


def expected_reminders(doc: Document, day: dt.date) -> list[Key]:
    """What the read-only `reminders --today` contract lists for `day`, as sweep keys."""
    keys = []
    for entry in rules.reminders(doc, day):
        subject_kind = next(k for k in ("application", "offer", "lease") if k in entry)
        keys.append((entry["kind"], subject_kind, entry[subject_kind], dt.date.fromisoformat(entry["due"])))
    return sorted(keys)


def open_reminder_keys() -> list[Key]:
    rows = Reminder.objects.filter(closed_at__isnull=True).values_list("kind", "subject_kind", "subject_ref", "due")
    return sorted(rows)


def duplicated_reminders() -> list[tuple[str, str, dt.date]]:
    """(kind, subject, due) triples stored more than once; the sweep promises none."""
    counts = Counter(Reminder.objects.values_list("kind", "subject_ref", "due"))
    return [key for key, count in counts.items() if count > 1]
