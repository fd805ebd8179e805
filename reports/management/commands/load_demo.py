import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from allocation.models import Unit
from allocation.services import offer_expire_sweep
from reports.demo import (
    demo_appeal_and_reopening,
    demo_document,
    demo_enrich,
    demo_finance,
    demo_old_case,
    demo_renewal,
    demo_steering,
    demo_tenancy_life,
)
from stord_bolig.demo.users import demo_users_ensure
from stord_bolig.interchange.service import records_import
from tenancies.services import reminder_sweep, renewal_cases_open


class Command(BaseCommand):
    help = "Load the synthetic Stord demo register and users (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        users = demo_users_ensure()
        path = Path(settings.BASE_DIR) / "reports" / "demo_data" / "stord.json"
        document = demo_document(json.loads(path.read_text(encoding="utf-8")))
        # Imported once: the demo's own steps then work on the records (a review date, a referral), and importing
        # the document again would put those fields back as the document has them.
        loaded = Unit.objects.filter(ref=document["units"][0]["ref"]).exists()
        result = None if loaded else records_import(document)
        demo_enrich(users)
        demo_tenancy_life(users)
        demo_renewal(users)
        demo_old_case(users)
        demo_appeal_and_reopening(users)
        demo_steering(users)
        demo_finance(users)
        today = timezone.localdate()
        offer_expire_sweep(today)
        reminder_sweep(today)
        renewal_cases_open(today)
        state = "loaded" if result is not None and result.changed else "already present"
        self.stdout.write(f"Demo data {state}.")
