import json

from django.core.management.base import BaseCommand, CommandError

from stord_bolig.interchange.codec import InterchangeError
from stord_bolig.interchange.service import records_import


class Command(BaseCommand):
    help = "Import a stord-bolig/1 document (all or nothing; records matched by ref)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON document, or - for standard input")

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                import sys

                data = json.load(sys.stdin)
            else:
                with open(file, encoding="utf-8") as handle:
                    data = json.load(handle)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            result = records_import(data)
        except InterchangeError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"import refused: {len(exc.errors)} error(s); nothing was changed") from exc
        summary = ", ".join(
            f"{name}: {result.created.get(name, 0)} new, {result.updated.get(name, 0)} changed"
            for name in sorted(set(result.created) | set(result.updated) | set(result.unchanged))
        )
        self.stdout.write(f"imported ({summary or 'empty document'})")
