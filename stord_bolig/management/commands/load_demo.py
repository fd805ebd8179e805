import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from stord_bolig.demo.users import demo_users_ensure
from stord_bolig.interchange.service import records_import


class Command(BaseCommand):
    help = "Load the synthetic Stord demo register and users (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        users = demo_users_ensure()
        path = Path(settings.BASE_DIR) / "stord_bolig" / "demo" / "stord.json"
        result = records_import(json.loads(path.read_text(encoding="utf-8")))
        from stord_bolig.demo.enrich import demo_enrich

        demo_enrich(users)
        state = "loaded" if result.changed else "already present"
        self.stdout.write(f"Demo data {state}.")
