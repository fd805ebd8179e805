from django.core.management.base import BaseCommand

from stord_bolig.interchange.cli import date_argument, write_json
from stord_bolig.interchange.service import document_export
from tenancies.rules import reminders


class Command(BaseCommand):
    help = "The reminders open on a date (read-only: what the scheduled sweep would have created)."

    def add_arguments(self, parser):
        parser.add_argument("--today", required=True, type=date_argument, help="date, YYYY-MM-DD")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, today, **options):
        write_json(self, reminders(document_export(), today))
