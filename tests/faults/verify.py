"""After the faults: is every write whole and every letter and reminder there exactly once? Prints JSON.

    python -m tests.faults.verify --media-root DIR [--wait-letters 90]

Runs against the fault test's database (DATABASE_URL). Waits until no letter is queued any more, then checks:
- every decided case has its decision, its "decided" event and its decision letter; every decision belongs to
  a decided case; the last event of every journey case names its status (no state change without its event);
- every case ready for decision (or past it) has a complete needs assessment; every case in assessment has one;
- every letter is rendered, once per dedupe key, its file present with the stored size and SHA-256, and no file
  in the letter store belongs to no letter;
- the reminder sweep, run twice, leaves exactly the reminders the rules list (the second run inserts nothing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stord_bolig.settings")
django.setup()

from django.db.models import Count, Exists, OuterRef  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Application, Assessment, CaseEvent, Decision, Status  # noqa: E402
from stord_bolig.models import Letter  # noqa: E402
from tenancies import rules  # noqa: E402
from tenancies.models import Reminder  # noqa: E402
from tenancies.querysets import reminder_document  # noqa: E402
from tenancies.services import reminder_sweep  # noqa: E402

JOURNEY = "-L"  # journey cases (loadtest.seed) carry -L in their case number


def wait_for_letters(timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not Letter.objects.filter(status=Letter.Status.QUEUED).exists():
            break
        time.sleep(0.5)
    return round(time.monotonic() - started, 1)


def case_problems() -> dict[str, list]:
    journey = Application.objects.filter(ref__contains=JOURNEY)
    decided_event = CaseEvent.objects.filter(application=OuterRef("pk"), to_status=Status.DECIDED)
    decision_letter_keys = {f"decision:{pk}" for pk in Decision.objects.values_list("pk", flat=True)}
    letter_keys = set(Letter.objects.filter(dedupe_key__startswith="decision:").values_list("dedupe_key", flat=True))
    last_event_wrong = []
    for ref, status in journey.values_list("ref", "status"):
        last = CaseEvent.objects.filter(application__ref=ref).order_by("-at", "-id").values_list("to_status", flat=True)
        if last.first() != status:
            last_event_wrong.append([ref, status, last.first()])
    complete = Assessment.objects.filter(application=OuterRef("pk"), completed_at__isnull=False).exclude(
        recommendation=""
    )
    return {
        "decided_without_decision": list(
            Application.objects.filter(status=Status.DECIDED, decision__isnull=True).values_list("ref", flat=True)
        ),
        "decision_on_undecided_case": list(
            Decision.objects.exclude(
                application__status__in=[Status.DECIDED, Status.APPEALED, Status.CLOSED]
            ).values_list("application__ref", flat=True)
        ),
        "decided_without_event": list(
            journey.filter(decision__isnull=False).exclude(Exists(decided_event)).values_list("ref", flat=True)
        ),
        "decision_without_letter": sorted(
            Decision.objects.filter(application__ref__contains=JOURNEY)
            .exclude(pk__in=[int(key.split(":")[1]) for key in letter_keys & decision_letter_keys])
            .values_list("application__ref", flat=True)
        ),
        "last_event_is_not_the_status": last_event_wrong,
        "ready_without_complete_assessment": list(
            journey.filter(status__in=[Status.READY, Status.DECIDED])
            .exclude(Exists(complete))
            .values_list("ref", flat=True)
        ),
        "in_assessment_without_assessment": list(
            journey.filter(status=Status.ASSESSMENT, assessment__isnull=True).values_list("ref", flat=True)
        ),
    }


def letter_problems(media_root: Path) -> dict[str, list]:
    duplicated = list(
        Letter.objects.values("dedupe_key").annotate(n=Count("id")).filter(n__gt=1).values_list("dedupe_key", flat=True)
    )
    bad_files = []
    stored = set()
    for pk, name, size, digest in Letter.objects.filter(status=Letter.Status.RENDERED).values_list(
        "pk", "pdf", "size_bytes", "sha256"
    ):
        path = media_root / name
        stored.add(str(path))
        if not path.is_file():
            bad_files.append([pk, name, "missing"])
            continue
        data = path.read_bytes()
        if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
            bad_files.append([pk, name, "size or checksum differs"])
    on_disk = {str(p) for p in (media_root / "letters").rglob("*.pdf")} if (media_root / "letters").exists() else set()
    return {
        "not_rendered": list(
            Letter.objects.exclude(status=Letter.Status.RENDERED).values_list("dedupe_key", "status", "error")
        ),
        "duplicated_dedupe_keys": duplicated,
        "bad_files": bad_files,
        "files_of_no_letter": sorted(on_disk - stored),
    }


def reminders(today: dt.date) -> dict:
    first = reminder_sweep(today)
    second = reminder_sweep(today)
    expected = {
        (item.kind, item.subject_kind, item.subject_ref, item.due)
        for item in rules.open_reminders(reminder_document(today), today)
    }
    rows = list(
        Reminder.objects.filter(closed_at__isnull=True).values_list("kind", "subject_kind", "subject_ref", "due")
    )
    duplicated = len(rows) - len(set(rows))
    return {
        "first_sweep": first,
        "second_sweep": second,
        "expected": len(expected),
        "open": len(rows),
        "duplicated": duplicated,
        "missing": [list(map(str, key)) for key in sorted(expected - set(rows))][:20],
        "extra": [list(map(str, key)) for key in sorted(set(rows) - expected)][:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--media-root", type=Path, required=True)
    parser.add_argument("--wait-letters", type=float, default=90)
    args = parser.parse_args()
    waited = wait_for_letters(args.wait_letters)
    result = {
        "waited_for_letters_s": waited,
        "counts": {
            "journey_cases": Application.objects.filter(ref__contains=JOURNEY).count(),
            "journey_decided": Application.objects.filter(ref__contains=JOURNEY, status=Status.DECIDED).count(),
            "journey_ready": Application.objects.filter(ref__contains=JOURNEY, status=Status.READY).count(),
            "journey_in_assessment": Application.objects.filter(
                ref__contains=JOURNEY, status=Status.ASSESSMENT
            ).count(),
            "letters": Letter.objects.count(),
            "letters_rendered": Letter.objects.filter(status=Letter.Status.RENDERED).count(),
        },
        "cases": case_problems(),
        "letters": letter_problems(args.media_root),
        "reminders": reminders(timezone.localdate()),
    }
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
