import csv

from django.core.management.base import BaseCommand, CommandError

from reports.kostra_sql import kostra_sql
from stord_bolig.interchange.cli import write_json


class Command(BaseCommand):
    help = "National reports. `report kostra --year Y --format json|csv`: KOSTRA form 13 figures."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=["kostra"])
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, name, year, format, **options):
        if not 1900 <= year <= 2200:
            raise CommandError(f"year out of range: {year}")
        figures = kostra_sql(year)  # equal to reports.rules.kostra (tests/reports/test_kostra_sql.py)
        if format == "json":
            write_json(self, figures)
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["key", "value"])
        for key, value in figures.items():
            writer.writerow([key, value])
