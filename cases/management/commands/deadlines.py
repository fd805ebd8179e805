from django.core.management.base import BaseCommand, CommandError

from cases.deadlines import deadlines
from stord_bolig.interchange.cli import write_json
from stord_bolig.interchange.service import document_export


class Command(BaseCommand):
    help = "The preliminary-reply due date and the appeal deadline of an application."

    def add_arguments(self, parser):
        parser.add_argument("--application", required=True, help="case number, e.g. S-2026-0042")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, application, **options):
        doc = document_export()
        if all(app.ref != application for app in doc.applications):
            raise CommandError(f"no application {application!r}")
        write_json(self, deadlines(doc, application))
