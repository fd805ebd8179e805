"""The demo register as a caseworker meets it: what it shows must read as true."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cases.models import Application
from stord_bolig.models import Letter
from tests.cases.conftest import OSLO, pdf_text

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=OSLO), tick=False)
def test_demo_old_case__its_decision_letter_carries_the_date_of_the_decision(django_capture_on_commit_callbacks):
    from reports.demo import OLD_CASE_RECEIVED, demo_old_case
    from stord_bolig.demo.users import demo_users_ensure

    with django_capture_on_commit_callbacks(execute=True):
        demo_old_case(demo_users_ensure())

    application = Application.objects.get(received=OLD_CASE_RECEIVED)
    letter = Letter.objects.get(kind="decision", case_ref=application.ref)
    assert letter.letter_date == dt.date(2013, 4, 2)
    with letter.pdf.open("rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "Dato: 2. april 2013" in text
    assert "2026" not in text  # the day the demo was loaded appears nowhere


@time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=OSLO), tick=False)
def test_demo_appeal_and_reopening__a_reversal_with_its_letter_and_a_reopened_case(django_capture_on_commit_callbacks):
    from cases.models import Appeal
    from reports.demo import demo_appeal_and_reopening
    from stord_bolig.demo.users import demo_users_ensure

    users = demo_users_ensure()
    with django_capture_on_commit_callbacks(execute=True):
        demo_appeal_and_reopening(users)
    demo_appeal_and_reopening(users)  # loading the demo again adds nothing

    reversed_case = Application.objects.get(household__members__person__family_name="Hauge")
    assert reversed_case.decision.outcome == "granted" and reversed_case.status == "decided"
    assert Appeal.objects.get(application=reversed_case).outcome == "reversed"
    letters = Letter.objects.filter(kind="decision", case_ref=reversed_case.ref).order_by("pk")
    assert letters.count() == 2
    with letters.last().pdf.open("rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "har bustadkontoret vurdert saka på nytt og gjort om vedtaket av 2. november 2026" in text
    # the letter came by post three days later: the deadline counts from then
    corrected = reversed_case.status_events.get(note__startswith="The decision reached the party on")
    assert (corrected.note_params["new"], corrected.note_params["old"]) == ("05.11.2026", "02.11.2026")
    by_the_body = Application.objects.get(household__members__person__family_name="Lunde")
    assert by_the_body.decision.outcome == "granted" and by_the_body.waiting_from is not None
    assert Appeal.objects.get(application=by_the_body).forwarded_to == "klagenemnda i Stord kommune"
    with Letter.objects.get(kind="appeal_outcome", case_ref=by_the_body.ref).pdf.open("rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "Søknaden din om kommunal utleigebustad er dermed innvilga." in text
    reopened = Application.objects.get(household__members__person__family_name="Grov")
    assert reopened.status == "registered"
    assert list(reopened.status_events.order_by("id").values_list("to_status", flat=True)) == [
        "registered",
        "closed",
        "registered",
    ]


@time_machine.travel(dt.datetime(2026, 11, 26, 10, 0, tzinfo=OSLO), tick=False)
def test_demo_renewal__one_lease_renewed_into_the_next_and_one_renewal_case_waiting(django_capture_on_commit_callbacks):
    from reports.demo import demo_renewal
    from stord_bolig.demo.users import demo_users_ensure
    from stord_bolig.interchange.codec import parse_document
    from stord_bolig.interchange.service import records_export, records_import
    from tenancies.models import Lease

    users = demo_users_ensure()
    with django_capture_on_commit_callbacks(execute=True):
        demo_renewal(users)
    demo_renewal(users)  # loading the demo again adds nothing

    renewed = Lease.objects.get(unit__ref="U-0201", outcome="renewed")
    following = Lease.objects.get(unit__ref="U-0201", start=dt.date(2027, 3, 1))
    assert (renewed.end, renewed.moved_out, renewed.renewal_decided) == (
        dt.date(2027, 2, 28),
        None,
        dt.date(2026, 11, 26),
    )
    assert (following.application, following.end, following.monthly_rent) == (
        renewed.renewal_case,
        dt.date(2030, 2, 28),
        8900,
    )
    waiting = Lease.objects.get(unit__ref="U-0202")
    assert waiting.renewal_case.status == "assessment" and waiting.renewal_decided is None
    contract = Letter.objects.get(kind="contract", case_ref=renewed.renewal_case.ref)
    with contract.pdf.open("rb") as handle:
        assert f"etter kontrakt {renewed.ref}, som er fornya" in " ".join(pdf_text(handle.read()).split())
    # the interchange carries the renewal as its format says: the old lease "renewed", the new one on the renewal case
    exported = records_export()
    parse_document(exported)
    by_ref = {lease["ref"]: lease for lease in exported["leases"]}
    assert (by_ref[renewed.ref]["outcome"], by_ref[renewed.ref]["moved_out"]) == ("renewed", None)
    assert by_ref[following.ref]["application"] == renewed.renewal_case.ref
    assert records_import(exported).changed is False


def test_demo_finance__referrals_from_arrears_and_from_the_advisors_own_intake(django_capture_on_commit_callbacks):
    from finance_advice.models import Referral, StartlanApplication
    from reports.demo import demo_finance
    from stord_bolig.demo.users import demo_users_ensure
    from tests.factories import ArrearsFigureFactory, LeaseFactory

    lease = LeaseFactory(ref="L-00011", monthly_rent=8000)
    ArrearsFigureFactory(lease=lease, amount=9600)
    users = demo_users_ensure()

    with django_capture_on_commit_callbacks(execute=True):
        demo_finance(users)
        demo_finance(users)  # a second load changes nothing

    arrears, intake = Referral.objects.order_by("ref")
    assert (arrears.source, arrears.status, arrears.lease) == ("arrears", "budget_made", lease)
    assert arrears.budgets.count() == 1
    assert StartlanApplication.objects.get().referral == arrears
    assert (intake.source, intake.status, str(intake.household.applicant)) == ("intake", "new", "Sigrid Rådsøkjar")


def test_demo_document__the_homes_were_let_in_earlier_years_and_loading_twice_adds_nothing():
    import json
    from pathlib import Path

    from django.db.models import Q

    from reports.demo import EARLIER_TENANCIES, demo_document
    from stord_bolig.interchange.service import records_import
    from tenancies.models import Lease

    path = Path(__file__).resolve().parents[2] / "reports" / "demo_data" / "stord.json"
    document = demo_document(json.loads(path.read_text(encoding="utf-8")))
    assert records_import(document).changed
    assert not records_import(document).changed

    def let_on(day):
        return Lease.objects.filter(Q(moved_out__isnull=True) | Q(moved_out__gte=day), start__lte=day).count()

    # the example register alone has one tenancy running through 2022; with the earlier ones most homes were let
    assert let_on(dt.date(2022, 12, 31)) == 11 and let_on(dt.date(2023, 12, 31)) == 12
    # numbered on from the document's twelve leases, so a lease registered later is L-00024, not L-00912
    earlier = Lease.objects.filter(ref__in=[f"L-{12 + n:05d}" for n in range(1, len(EARLIER_TENANCIES) + 1)])
    assert earlier.count() == len(EARLIER_TENANCIES) and not earlier.filter(moved_out__isnull=True).exists()
