import datetime as dt
import getpass

from django.core.management.base import BaseCommand, CommandError

from stord_bolig.retention import RetentionBusy, retention_run


class Command(BaseCommand):
    help = (
        "Anonymise households whose cases and leases ended more than RETENTION_YEARS_AFTER_CLOSE years ago, "
        "and the personal fields of access-log rows older than RETENTION_ACCESS_LOG_YEARS. Prints counts only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be done; change nothing")
        parser.add_argument("--today", help="run as of this date (YYYY-MM-DD); default: today")

    def handle(self, *args, dry_run, today, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today: expected YYYY-MM-DD, got {today!r}") from exc
        try:
            report = retention_run(today=day, dry_run=dry_run, trigger="command", run_by=_who())
        except RetentionBusy as exc:
            raise CommandError("Another retention run is in progress.") from exc
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(f"Retention as of {report.today}{' (dry run: nothing changed)' if dry_run else ''}")
        self.stdout.write(
            f"  households with every case and lease concluded before {report.case_cutoff}: {verb} {report.households}"
        )
        self.stdout.write(f"  access-log rows before {report.log_cutoff}: {verb} {report.access_log_rows}")
        for key, value in sorted(report.counts.items()):
            self.stdout.write(f"  {key}: {value}")


def _who() -> str:
    try:
        return f"manage.py ({getpass.getuser()})"
    except (KeyError, OSError):  # no user name for this uid (a container)
        return "manage.py"
