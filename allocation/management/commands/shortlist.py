from django.core.management.base import BaseCommand, CommandError

from allocation.rules import shortlist
from stord_bolig.interchange.cli import date_argument, write_json
from stord_bolig.interchange.service import document_export


class Command(BaseCommand):
    help = "The ranked, explained shortlist for a free unit on a date, and who is left out and why."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="unit ref, e.g. U-17")
        parser.add_argument("--on", required=True, type=date_argument, help="date, YYYY-MM-DD")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, unit, on, **options):
        doc = document_export()
        if all(u.ref != unit for u in doc.units):
            raise CommandError(f"no unit {unit!r}")
        write_json(self, shortlist(doc, unit, on))
