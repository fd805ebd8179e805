"""The retention job: personal data goes when the data-protection register (privacy.py) says it must.

- A household is anonymised `RETENTION_YEARS_AFTER_CLOSE` years after its last case was concluded and its
  last lease, stay, offer and referral ended, with nothing open: its people are deleted, free text, health
  and economy are deleted or blanked, attachments and letters go with their files, and the change history
  and admin-log entries of those rows are deleted. Rows that statistics count (cases, decisions, leases,
  stays, offers) stay, with dates and codes only, so KOSTRA figures for past years do not change.
- Access-log rows older than `RETENTION_ACCESS_LOG_YEARS` keep when and what, not who, which case or from
  where; a database trigger allows that UPDATE and no other (models.ACCESS_LOG_ANONYMISE_ONLY).

The platform imports no app: each app registers a RetentionPart in its AppConfig.ready, saying which
households it still needs (`keep`) and how to erase its own rows (`erase`); `cases` also says which
households are `due`. Each run is recorded in RetentionRun (counts only, never a name).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import ACCESS_LOG_MIN_YEARS, ACCESS_LOG_PERSONAL_FIELDS, AccessLog, Letter, RetentionRun

logger = logging.getLogger(__name__)

BATCH_HOUSEHOLDS = 200
BATCH_LOG_ROWS = 10_000
# pg_try_advisory_lock key: one run at a time (the schedule and a command started by hand).
_LOCK_KEY = 0x5E7E_0001


class RetentionBusy(Exception):
    """Another retention run holds the lock."""


@dataclass(frozen=True)
class RetentionPart:
    """An app's share of the job. Household ids in, counts out; no personal data crosses this line.

    due(cutoff): ids of households this app sees as concluded before the cutoff (only `cases` says this).
    keep(cutoff): ids of households with anything open, or any activity on or after the cutoff.
    erase(household_ids, cutoff): anonymise or delete this app's rows about them; returns counts by kind.
    """

    name: str
    erase: Callable[[list[int], dt.date], dict[str, int]]
    due: Callable[[dt.date], Iterable[int]] | None = None
    keep: Callable[[dt.date], Iterable[int]] | None = None


_parts: list[RetentionPart] = []


def register_part(part: RetentionPart) -> None:
    if all(existing.name != part.name for existing in _parts):
        _parts.append(part)


def parts() -> list[RetentionPart]:
    return list(_parts)


@dataclass
class RetentionReport:
    today: dt.date
    case_cutoff: dt.date
    log_cutoff: dt.date
    households: int = 0
    access_log_rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "case_cutoff": self.case_cutoff.isoformat(),
            "log_cutoff": self.log_cutoff.isoformat(),
            "households": self.households,
            "access_log_rows": self.access_log_rows,
            "counts": dict(sorted(self.counts.items())),
            "dry_run": self.dry_run,
        }


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def case_cutoff(today: dt.date) -> dt.date:
    return years_before(today, settings.RETENTION_YEARS_AFTER_CLOSE)


def log_cutoff(today: dt.date) -> dt.date:
    return years_before(today, settings.RETENTION_ACCESS_LOG_YEARS)


def households_due(cutoff: dt.date) -> list[int]:
    """Households some part sees as concluded before the cutoff and no part still needs."""
    due: set[int] = set()
    for part in _parts:
        if part.due is not None:
            due.update(part.due(cutoff))
    for part in _parts:
        if part.keep is not None and due:
            due.difference_update(part.keep(cutoff))
    return sorted(due)


# --- Helpers the apps' erase functions use for what the platform holds about their rows ---


def files_delete(names: Iterable[str]) -> int:
    """Delete stored files once the transaction that forgot them commits; a rollback (or dry run) keeps them."""
    names = [name for name in names if name]
    if names:

        def _delete():
            for name in names:
                try:
                    default_storage.delete(name)
                except OSError:  # already gone, or the store refuses: the row is gone either way
                    logger.warning("retention: a stored file could not be deleted")

        transaction.on_commit(_delete)
    return len(names)


def traces_erase(model, ids: Iterable[int]) -> Counter:
    """Letters (rows and PDF files), change-history rows and admin-log entries about these rows of `model`."""
    ids = list(ids)
    counts: Counter = Counter()
    if not ids:
        return counts
    content_type = ContentType.objects.get_for_model(model)
    letters = Letter.objects.filter(subject_type=content_type, subject_id__in=ids)
    counts["letter_files"] += files_delete(letters.exclude(pdf="").values_list("pdf", flat=True))
    counts["letters"] += letters.delete()[0]
    event_model = getattr(model, "pgh_event_model", None)
    if event_model is not None:
        counts["history_rows"] += event_model.objects.filter(pgh_obj_id__in=ids).delete()[0]
    counts["admin_log_entries"] += LogEntry.objects.filter(
        content_type=content_type, object_id__in=[str(pk) for pk in ids]
    ).delete()[0]
    return counts


def access_log_anonymise(before: dt.date) -> int:
    """Blank the personal fields of access-log rows older than `before` (and than the database's floor)."""
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    not_blank = (
        Q(user_id__isnull=False)
        | Q(ip__isnull=False)
        | ~Q(username="")
        | ~Q(person_ref="")
        | ~Q(case_ref="")
        | ~Q(purpose="")
        | ~Q(path="")
    )
    # The trigger measures age by the database clock; never ask it for a row it would refuse.
    with connection.cursor() as cursor:
        cursor.execute("SELECT now() - make_interval(years => %s)", [ACCESS_LOG_MIN_YEARS])
        floor = cursor.fetchone()[0]
    rows = AccessLog.objects.filter(not_blank, at__lt=min(cutoff, floor))
    blank = {name: None if name in ("user_id", "ip") else "" for name in ACCESS_LOG_PERSONAL_FIELDS}
    total, after = 0, 0
    while True:  # in id order, so each batch starts where the last one ended
        ids = list(rows.filter(id__gt=after).order_by("id").values_list("id", flat=True)[:BATCH_LOG_ROWS])
        if not ids:
            return total
        after = ids[-1]
        total += AccessLog.objects.filter(id__in=ids).update(**blank)


def orphan_files_delete(*, older_than: dt.timedelta = dt.timedelta(days=1), dry_run: bool = False) -> int:
    """Delete stored files no row refers to (a rollback after the file was written, a row deleted by hand).

    Looks only where a model's FileField uploads to (its `upload_to` prefix, e.g. "letters/"), and leaves
    files younger than `older_than` alone: an upload may be between writing its file and committing its row.
    """
    from django.apps import apps
    from django.db.models import FileField

    prefixes: set[str] = set()
    referenced: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if not isinstance(model_field, FileField) or not isinstance(model_field.upload_to, str):
                continue
            prefix = model_field.upload_to.split("%", 1)[0].strip("/")
            if prefix:
                prefixes.add(prefix)
                names = model._base_manager.exclude(**{model_field.name: ""}).values_list(model_field.name, flat=True)
                referenced.update(names.iterator(chunk_size=10_000))
    limit = timezone.now() - older_than
    deleted = 0
    for prefix in sorted(prefixes):
        for name in _stored_files(prefix):
            if name in referenced or default_storage.get_modified_time(name) >= limit:
                continue
            deleted += 1
            if not dry_run:
                default_storage.delete(name)
    return deleted


def _stored_files(folder: str):
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_files(f"{folder}/{sub}")


# --- The run ---


def _chunks(items: list[int], size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _run(report: RetentionReport) -> RetentionReport:
    households = households_due(report.case_cutoff)
    counts: Counter = Counter()
    for batch in _chunks(households, BATCH_HOUSEHOLDS):
        with transaction.atomic():
            # Higher layers first: their rows point at the lower layers' rows.
            for part in reversed(_parts):
                for key, value in part.erase(batch, report.case_cutoff).items():
                    counts[f"{part.name}.{key}"] += value
        report.households += len(batch)
        report.counts = {key: value for key, value in counts.items() if value}
    report.access_log_rows = access_log_anonymise(report.log_cutoff)
    orphans = orphan_files_delete(dry_run=report.dry_run)
    if orphans:
        report.counts = {**report.counts, "files.orphans": orphans}
    return report


def _try_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _unlock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])


def retention_run(
    *, today: dt.date | None = None, dry_run: bool = False, trigger: str = RetentionRun.Trigger.COMMAND, run_by=""
) -> RetentionReport:
    """Anonymise every household and access-log row past its retention; a dry run counts and changes nothing.

    Runs one at a time (an advisory lock; a second run raises RetentionBusy). A real run is recorded in
    RetentionRun and commits household by batch, so a failure keeps what was done and is recorded as failed.
    """
    today = today or timezone.localdate()
    report = RetentionReport(today=today, case_cutoff=case_cutoff(today), log_cutoff=log_cutoff(today))
    if not _try_lock():
        raise RetentionBusy("another retention run is in progress")
    try:
        if dry_run:
            report.dry_run = True
            with transaction.atomic():
                _run(report)
                transaction.set_rollback(True)  # and on_commit file deletions are dropped with it
            return report
        run = RetentionRun.objects.create(
            trigger=trigger,
            run_by=str(run_by)[:150],
            today=today,
            case_cutoff=report.case_cutoff,
            log_cutoff=report.log_cutoff,
        )
        try:
            _run(report)
        except Exception:
            RetentionRun.objects.filter(pk=run.pk).update(
                status=RetentionRun.Status.FAILED,
                finished_at=timezone.now(),
                households=report.households,
                counts=report.counts,
            )
            raise
        RetentionRun.objects.filter(pk=run.pk).update(
            status=RetentionRun.Status.DONE,
            finished_at=timezone.now(),
            households=report.households,
            access_log_rows=report.access_log_rows,
            counts=report.counts,
        )
        logger.info("retention run: %s households, %s access-log rows", report.households, report.access_log_rows)
        return report
    finally:
        _unlock()


def retention_last_run() -> RetentionRun | None:
    return RetentionRun.objects.filter(status=RetentionRun.Status.DONE).first()
