import json

from django.core.management.base import BaseCommand

from stord_bolig.interchange.service import records_export


class Command(BaseCommand):
    help = "Export the whole register as a stord-bolig/1 document."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to write, or - for standard output")

    def handle(self, *args, file, **options):
        text = json.dumps(records_export(), ensure_ascii=False, indent=2) + "\n"
        if file == "-":
            self.stdout.write(text, ending="")
        else:
            with open(file, "w", encoding="utf-8") as handle:
                handle.write(text)
