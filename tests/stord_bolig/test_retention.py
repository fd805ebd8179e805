"""The retention job: after the period nothing about a closed household is left anywhere, and nothing else changes.

The big test builds one household with everything the product can hold about it (contact details, health,
journal, an attachment, letters, an offer, a lease with follow-up, a referral with a budget, startlån,
consent, an allocation meeting, access-log rows, admin-log entries, change history), runs the job, and
then searches every row of every table, every stored file and the Redis database for its unique markers.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from allocation.models import AllocationMeeting, MeetingChoice, Offer
from cases import services as case_services
from cases.models import Application, Household, Person
from cases.uploads import attachment_store
from finance_advice import services as finance_services
from finance_advice.models import Budget, StartlanApplication
from reports.figures import homeless_households
from reports.kostra_sql import kostra_sql
from stord_bolig import privacy
from stord_bolig.demo.identity import synthetic_national_id
from stord_bolig.interchange.codec import parse_document
from stord_bolig.interchange.service import records_export
from stord_bolig.letters import letter_render
from stord_bolig.models import AccessLog, Letter, RetentionRun
from stord_bolig.retention import RetentionPart, households_due, register_part, retention_run
from tenancies.models import ArrearsFigure, FollowUpContact, FollowUpPlan, Lease, Milestone, MoveOnPlan, Reminder
from tests.factories import LeaseFactory, TemporaryStayFactory, UnitFactory

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
TODAY = dt.date(2026, 11, 26)

FNR = synthetic_national_id(dt.date(1977, 7, 13), 31)
CHILD_FNR = synthetic_national_id(dt.date(2009, 3, 2), 33)
GIVEN, FAMILY, CHILD = "Zephyrine", "Quillfeather", "Xanthippa"
PHONE, EMAIL, ADDRESS = "91827364", "zq.retention@example.org", "Vrimlevegen 977"
TEXT = "Kvitveis7391"  # in every free-text field
MARKERS = [FNR, CHILD_FNR, GIVEN, FAMILY, CHILD, PHONE, EMAIL, ADDRESS, TEXT]

KEPT_GIVEN, KEPT_FAMILY = "Bartholomeus", "Keepingsen"  # closed within the period
OPEN_GIVEN, OPEN_FAMILY = "Ottilie", "Opensdottir"  # an old closed case and an open one


def at(day: dt.date, hour: int = 10):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=OSLO)


def travel(day: dt.date):
    return time_machine.travel(at(day), tick=False)


# --- Searching everywhere ---


def db_hits(markers) -> dict[str, list[str]]:
    """Marker -> tables (schema.table) where some row's text contains it, over every table of the database."""
    hits: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        tables = cursor.fetchall()
        assert len(tables) > 50
        for schema, table in tables:
            name = f"{connection.ops.quote_name(schema)}.{connection.ops.quote_name(table)}"
            # the whole row as text: every column of every type, JSON included
            cursor.execute(
                f"SELECT m FROM unnest(%s::text[]) AS m WHERE EXISTS "  # noqa: S608 - names from the catalogue
                f"(SELECT 1 FROM {name} AS r WHERE strpos(lower(r::text), lower(m)) > 0)",
                [list(markers)],
            )
            for (marker,) in cursor.fetchall():
                hits.setdefault(marker, []).append(f"{schema}.{table}")
    return hits


def file_hits(markers) -> dict[str, list[str]]:
    """Marker -> files under MEDIA_ROOT whose name, bytes or (for PDFs) extracted text contain it."""
    hits: dict[str, list[str]] = {}
    root = Path(settings.MEDIA_ROOT)
    for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []:
        data = path.read_bytes()
        text = path.name.lower() + data.decode("latin-1").lower()
        if data.startswith(b"%PDF"):
            result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=False)  # noqa: S607
            text += result.stdout.decode("utf-8", "replace").lower()
        for marker in markers:
            if marker.lower() in text:
                hits.setdefault(marker, []).append(str(path.relative_to(root)))
    return hits


def redis_hits(markers) -> dict[str, list[str]]:
    client = redis.Redis.from_url(settings.REDIS_URL)
    hits: dict[str, list[str]] = {}
    for key in client.scan_iter(count=1000):
        if client.type(key) != b"string":
            continue
        value = (client.get(key) or b"").decode("utf-8", "replace").lower()
        for marker in markers:
            if marker.lower() in value or marker.lower() in key.decode("utf-8", "replace").lower():
                hits.setdefault(marker, []).append(key.decode())
    return hits


# --- A household with everything ---


def _closed_household(caseworker, advisor):
    """Registered in 2013, lease 2013-2015, case closed in January 2016: due from January 2026."""
    with travel(dt.date(2013, 2, 4)):
        application = case_services.application_register(
            applicant={
                "national_id": FNR,
                "given_name": GIVEN,
                "family_name": FAMILY,
                "phone": PHONE,
                "email": EMAIL,
                "address": ADDRESS,
                "postcode": "5411",
                "city": "Stord",
                "representative_name": f"{TEXT} fullmektig",
            },
            members=[{"role": "child", "national_id": CHILD_FNR, "given_name": CHILD, "family_name": FAMILY}],
            kind="municipal_housing",
            received=dt.date(2013, 2, 1),
            by=caseworker,
        )
        person = Person.objects.get(national_id=FNR)
        case_services.assessment_save(
            application=application,
            data={
                "recommendation": "municipal_housing",
                "housing_situation": "homeless_5",
                "main_reason": "substance_use",
                "own_goals": TEXT,
                "housing_notes": TEXT,
                "followup_needs": TEXT,
                "income_sources": TEXT,
                "monthly_income": 18234,
                "min_bedrooms_override": 2,
                "min_bedrooms_reason": TEXT,
            },
            health={"notes": TEXT, "mobility_needs": TEXT, "substance_use": True, "mental_health": True},
            urgency="A",
            urgency_reason=TEXT,
            by=caseworker,
        )
        case_services.note_add(application=application, text=f"{TEXT} {GIVEN} ringde frå {PHONE}", by=caseworker)
        attachment_store(
            application=application,
            upload=SimpleUploadedFile(
                f"{FAMILY}-legeerklaering.pdf", f"%PDF-1.4 {TEXT} {FNR} {GIVEN} {FAMILY}".encode(), "application/pdf"
            ),
            description=f"{TEXT} legeerklæring",
            by=caseworker,
        )
        case_services.assessment_complete(application=application, by=caseworker)
        case_services.application_decide(
            application=application,
            outcome="granted",
            decided=dt.date(2013, 2, 4),
            notified=dt.date(2013, 2, 4),
            legal_basis="",
            facts=f"{TEXT} {GIVEN} {FAMILY} bur hos venner.",
            assessment=TEXT,
            conditions=TEXT,
            home_description=TEXT,
            by=caseworker,
        )
        finance_services.consent_record(
            person=person, purpose="economy", given=dt.date(2013, 2, 4), expires=None, by=caseworker
        )
        referral = finance_services.referral_create(
            household=application.household, source="case", reason=TEXT, by=caseworker, application=application
        )
        Budget.objects.create(referral=referral, made_on=dt.date(2013, 2, 4), net_income=18234, policy_rate=1.5)
        StartlanApplication.objects.create(
            ref="SL-T0001",
            household=application.household,
            referral=referral,
            received=dt.date(2013, 2, 4),
            purpose="buy",
            price=1_500_000,
            loan_applied=1_400_000,
            outcome="refused",
            reasons=TEXT,
            decided=dt.date(2013, 2, 4),
        )
        finance_services.referral_transition(referral=referral, to_status="declined", by=advisor, note=TEXT)

    unit = UnitFactory(in_stock_from=dt.date(2000, 1, 1))
    meeting = AllocationMeeting.objects.create(held_on=dt.date(2013, 3, 1), notes=f"{TEXT} {FAMILY}")
    refused = Offer.objects.create(
        ref="O-T9001",
        application=application,
        unit=UnitFactory(in_stock_from=dt.date(2000, 1, 1)),
        offered=dt.date(2013, 2, 20),
        status="refused",
        answered=dt.date(2013, 2, 22),
        reason=TEXT,
    )
    accepted = Offer.objects.create(
        ref="O-T9002", application=application, unit=unit, offered=dt.date(2013, 3, 1), status="accepted"
    )
    MeetingChoice.objects.create(
        meeting=meeting, unit=unit, application=application, rank=2, override_reason=TEXT, offer=accepted
    )
    lease = LeaseFactory(
        unit=unit,
        household=application.household,
        application=application,
        start=dt.date(2013, 4, 1),
        end=dt.date(2014, 3, 31),
        moved_in=dt.date(2013, 4, 1),
        moved_out=dt.date(2015, 1, 31),
        outcome="moved_private_rental",
        short_term_reason=TEXT,
    )
    ArrearsFigure.objects.create(lease=lease, as_of=dt.date(2014, 1, 31), amount=9000)
    plan = FollowUpPlan.objects.create(
        lease=lease, goals=TEXT, support=TEXT, started=dt.date(2013, 4, 1), closed=dt.date(2015, 1, 31)
    )
    FollowUpContact.objects.create(plan=plan, day=dt.date(2013, 5, 1), kind="home_visit", note=TEXT)
    move_on = MoveOnPlan.objects.create(lease=lease, goal="private_rental", notes=TEXT)
    Milestone.objects.create(plan=move_on, title=TEXT)
    Reminder.objects.create(
        kind="circulation_review",
        subject_kind="lease",
        subject_ref=lease.ref,
        due=dt.date(2014, 4, 1),
        remind_from=dt.date(2014, 3, 1),
        closed_at=at(dt.date(2014, 3, 20)),
    )
    TemporaryStayFactory(household=application.household, start=dt.date(2012, 12, 1), end=dt.date(2013, 3, 31))

    with travel(dt.date(2016, 1, 15)):
        case_services.application_transition(application=application, to_status="closed", by=caseworker, note=TEXT)

    for day in (dt.date(2013, 2, 5), dt.date(2016, 1, 15)):
        AccessLog.objects.create(
            at=at(day),
            user_id=caseworker.pk,
            username=caseworker.username,
            role="caseworker",
            action="read",
            case_ref=application.ref,
            person_ref=person.ref,
            section="health",
            purpose=TEXT,
            ip="10.1.2.3",
            path=f"/cases/?q={FAMILY}+{FNR}",
        )
    LogEntry.objects.create(
        user=caseworker,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["phone"]}}]),
    )
    return {"application": application, "household": application.household, "lease": lease, "offer": refused}


def _register(caseworker, given, family, born, received, serial):
    with travel(received):
        return case_services.application_register(
            applicant={"national_id": synthetic_national_id(born, serial), "given_name": given, "family_name": family},
            members=[],
            kind="municipal_housing",
            received=received,
            by=caseworker,
        )


@pytest.fixture
def world(make_user):
    caseworker = make_user("caseworker", username="kari")
    advisor = make_user("financial_advisor", username="oskar")
    closed = _closed_household(caseworker, advisor)

    kept = _register(caseworker, KEPT_GIVEN, KEPT_FAMILY, dt.date(1966, 6, 6), dt.date(2019, 5, 2), 35)
    case_services.note_add(application=kept, text=f"{KEPT_FAMILY} note", by=caseworker)
    with travel(dt.date(2020, 3, 1)):
        case_services.application_transition(application=kept, to_status="closed", by=caseworker, note="Trekt.")

    old = _register(caseworker, OPEN_GIVEN, OPEN_FAMILY, dt.date(1955, 5, 5), dt.date(2012, 1, 10), 37)
    case_services.note_add(application=old, text=f"{OPEN_FAMILY} old note", by=caseworker)
    with travel(dt.date(2012, 6, 1)):
        case_services.application_transition(application=old, to_status="closed", by=caseworker, note="Trekt.")
    with travel(TODAY):
        open_case = case_services.application_register(
            applicant={"national_id": Person.objects.get(family_name=OPEN_FAMILY).national_id},
            members=[],
            kind="municipal_housing",
            received=TODAY,
            by=caseworker,
        )
    assert open_case.household_id == old.household_id

    AccessLog.objects.create(username="kari", action="read", case_ref=closed["application"].ref, section="case")
    return {**closed, "kept": kept, "open": old, "caseworker": caseworker}


def render_letters(render=letter_render):
    """The PDFs the worker would have made (only the tests that look at files need them: ~1 s)."""
    with travel(dt.date(2013, 2, 4)):
        for letter in Letter.objects.all():
            render(letter.pk)
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))) == 3  # decision, referral, attachment


def run(**kwargs):
    with travel(TODAY):
        return retention_run(today=TODAY, **kwargs)


# --- The tests ---


def test_retention__leaves_no_trace_of_a_closed_household_anywhere(world, settings, django_capture_on_commit_callbacks):
    from stord_bolig.celery import app as celery_app
    from stord_bolig.tasks import letter_render_task, retention_run_task

    def as_worker(task, *args):
        """Run a task and keep its result in the result backend (Redis), as a worker does."""
        outcome = task.apply(args=args)
        celery_app.backend.store_result(outcome.id, outcome.result, outcome.state)
        return outcome.result

    render_letters(lambda pk: as_worker(letter_render_task, pk))
    before_db, before_files = db_hits(MARKERS), file_hits(MARKERS)
    # The search finds what it looks for: every marker is somewhere before the run ...
    assert set(before_db) == set(MARKERS), sorted(set(MARKERS) - set(before_db))
    found_in = {table.split(".")[1] for tables in before_db.values() for table in tables}
    assert {
        "cases_person",
        "cases_personevent",
        "cases_healthassessment",
        "cases_journalnote",
        "stord_bolig_letter",
        "stord_bolig_accesslog",
        "django_admin_log",
    } <= found_in
    assert {GIVEN, FAMILY, FNR, TEXT} <= set(before_files)

    with django_capture_on_commit_callbacks(execute=True):
        result = as_worker(retention_run_task, TODAY.isoformat())
    assert result["households"] == 1

    # ... and nowhere after it: no table, no column, no file, no Redis key.
    assert db_hits(MARKERS) == {}
    assert file_hits(MARKERS) == {}
    assert redis_hits(MARKERS) == {}
    client = redis.Redis.from_url(settings.REDIS_URL)
    results = list(client.scan_iter("celery-task-meta-*"))
    assert results  # the two task results above are there, and expire
    assert all(0 < client.ttl(key) <= settings.CELERY_RESULT_EXPIRES for key in results)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the job and the file deletions it queues for after commit."""

    def go(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return run(**kwargs)

    return go


def test_retention__deletes_the_files_and_keeps_the_rows_statistics_count(world, run_on_commit):
    application, lease = world["application"], world["lease"]
    render_letters()
    report = run_on_commit()
    assert report.households == 1
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))

    household = Household.objects.get(pk=world["household"].pk)
    assert household.anonymised_on is not None
    assert not household.members.exists()
    application.refresh_from_db()
    assert (application.kind, application.received, application.main_reason, application.status) == (
        "municipal_housing",
        dt.date(2013, 2, 1),
        "substance_use",
        "closed",
    )
    assert application.decision.outcome == "granted" and application.decision.facts == ""
    assert not hasattr(Application.objects.get(pk=application.pk), "health")
    lease.refresh_from_db()
    assert (lease.start, lease.moved_out, lease.short_term_reason) == (dt.date(2013, 4, 1), dt.date(2015, 1, 31), None)
    assert Offer.objects.get(ref="O-T9001").status == "refused"
    assert not Reminder.objects.filter(subject_ref=lease.ref).exists()
    assert not Letter.objects.filter(case_ref=application.ref).exists()


def test_retention__old_access_log_rows_lose_who_and_where_recent_ones_keep_it(world):
    run()
    old = AccessLog.objects.filter(section="health").order_by("at")
    assert [(r.action, r.section, r.role) for r in old] == [("read", "health", "caseworker")] * 2
    assert all(r.user_id is None and r.ip is None and not (r.username or r.case_ref or r.path) for r in old)
    recent = AccessLog.objects.get(section="case")
    assert recent.case_ref == world["application"].ref and recent.username == "kari"


def test_retention__keeps_a_household_concluded_within_the_period(world):
    run()
    kept = Application.objects.get(pk=world["kept"].pk)
    assert kept.household.anonymised_on is None
    assert kept.household.applicant.family_name == KEPT_FAMILY
    assert set(db_hits([KEPT_FAMILY, KEPT_GIVEN])) == {KEPT_FAMILY, KEPT_GIVEN}


def test_retention__keeps_every_case_of_a_household_with_an_open_case(world):
    run()
    old = Application.objects.get(pk=world["open"].pk)
    assert old.household.anonymised_on is None
    assert old.notes.get().text == f"{OPEN_FAMILY} old note"
    assert old.household.applicant.given_name == OPEN_GIVEN


def test_retention__dry_run_counts_and_changes_nothing(world, run_on_commit):
    render_letters()
    before = (db_hits(MARKERS), file_hits(MARKERS), RetentionRun.objects.count())
    report = run_on_commit(dry_run=True)
    assert report.households == 1 and report.access_log_rows == 2
    assert report.counts["cases.people"] == 2 and report.counts["cases.attachment_files"] == 1
    assert (db_hits(MARKERS), file_hits(MARKERS), RetentionRun.objects.count()) == before
    assert Household.objects.get(pk=world["household"].pk).anonymised_on is None


def test_retention__second_run_finds_nothing_and_changes_nothing(world, run_on_commit):
    first = run_on_commit()
    state = (list(Household.objects.values_list("id", "anonymised_on")), db_hits([KEPT_FAMILY, OPEN_FAMILY]))
    second = run_on_commit()
    assert (first.households, second.households, second.access_log_rows, second.counts) == (1, 0, 0, {})
    assert (list(Household.objects.values_list("id", "anonymised_on")), db_hits([KEPT_FAMILY, OPEN_FAMILY])) == state
    assert list(RetentionRun.objects.values_list("status", "households")) == [("done", 0), ("done", 1)]


def test_retention__statistics_for_past_years_do_not_change(world):
    years = range(2012, 2017)
    before = {year: kostra_sql(year) for year in years}
    homeless_before = {day: homeless_households(day) for day in (dt.date(2013, 2, 3), dt.date(2013, 6, 1))}
    assert before[2013]["applications_new"] >= 1 and before[2013]["moved_in_substance_use"] == 1
    run()
    assert {year: kostra_sql(year) for year in years} == before
    assert {day: homeless_households(day) for day in homeless_before} == homeless_before


def test_retention__an_export_after_anonymisation_is_a_valid_document(world):
    run()
    exported = records_export()
    parse_document(json.loads(json.dumps(exported)))  # would raise InterchangeError
    assert world["household"].ref not in {h["ref"] for h in exported["households"]}
    assert world["application"].ref not in {a["ref"] for a in exported["applications"]}
    assert world["kept"].ref in {a["ref"] for a in exported["applications"]}


def test_retention__is_recorded_with_who_when_and_counts(world):
    run()
    record = RetentionRun.objects.get()
    assert (record.status, record.trigger, record.households, record.access_log_rows) == ("done", "command", 1, 2)
    assert record.case_cutoff == dt.date(2016, 11, 26) and record.finished_at is not None
    assert record.counts["cases.journal_notes"] == 1 and record.counts["cases.health_assessments"] == 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda lease: Lease.objects.filter(pk=lease.pk).update(moved_out=None, outcome=None), id="lease-not-ended"
        ),
        pytest.param(
            lambda lease: Lease.objects.filter(pk=lease.pk).update(moved_out=dt.date(2017, 1, 31)),
            id="moved-out-within-the-period",
        ),
        pytest.param(
            lambda lease: ArrearsFigure.objects.create(lease=lease, as_of=dt.date(2018, 1, 31), amount=1),
            id="recent-arrears",
        ),
        pytest.param(
            lambda lease: TemporaryStayFactory(household=lease.household, start=dt.date(2025, 1, 1), end=None),
            id="open-stay",
        ),
        pytest.param(
            lambda lease: Offer.objects.filter(ref="O-T9002").update(offered=dt.date(2020, 1, 1)), id="recent-offer"
        ),
        pytest.param(
            lambda lease: StartlanApplication.objects.filter(ref="SL-T0001").update(outcome=""), id="startlan-undecided"
        ),
    ],
)
def test_retention__anything_open_or_recent_in_any_app_keeps_the_household(world, change):
    change(world["lease"])
    assert world["household"].pk not in households_due(dt.date(2016, 11, 26))
    run()
    assert Household.objects.get(pk=world["household"].pk).anonymised_on is None
    assert Person.objects.filter(national_id=FNR).exists()


def test_retention__a_granted_decision_still_waiting_keeps_the_household(make_user):
    caseworker = make_user("caseworker")
    application = _register(caseworker, "Wenche", "Waitingsen", dt.date(1970, 1, 2), dt.date(2012, 3, 1), 38)
    from tests.factories import DecisionFactory

    DecisionFactory(application=application, decided=dt.date(2012, 4, 1), notified=dt.date(2012, 4, 1))
    Application.objects.filter(pk=application.pk).update(status="decided")
    assert application.household_id not in households_due(dt.date(2016, 11, 26))
    Application.objects.filter(pk=application.pk).update(status="closed")  # the office closed it: no longer waiting
    assert application.household_id in households_due(dt.date(2016, 11, 26))


def test_retention_command__prints_counts_and_no_personal_data(world, capsys):
    with travel(TODAY):
        call_command("retention", "--dry-run", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "dry run" in out and "cases.people: 2" in out
    assert not [marker for marker in MARKERS if marker.lower() in out.lower()]
    assert not RetentionRun.objects.exists()


def test_retention_command__refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("retention", "--today", "26.11.2026")


def test_access_log__only_the_retention_update_of_an_old_row_is_allowed(db):
    old = AccessLog.objects.create(
        at=at(dt.date(2015, 1, 1)), username="kari", action="read", case_ref="S-1", ip="10.0.0.1"
    )
    young = AccessLog.objects.create(at=at(dt.date(2024, 1, 1)), username="kari", action="read", case_ref="S-2")
    blank = {"user_id": None, "username": "", "person_ref": "", "case_ref": "", "purpose": "", "ip": None, "path": ""}
    for rows, values in [
        (AccessLog.objects.filter(pk=young.pk), blank),  # too young
        (AccessLog.objects.filter(pk=old.pk), {"case_ref": ""}),  # half-blanked
        (AccessLog.objects.filter(pk=old.pk), {**blank, "action": "login"}),  # something else changed too
        (AccessLog.objects.filter(pk=old.pk), {**blank, "username": "someone"}),  # rewritten, not blanked
    ]:
        with pytest.raises(DatabaseError), transaction.atomic():
            rows.update(**values)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=old.pk).delete()
    assert AccessLog.objects.filter(pk=old.pk).update(**blank) == 1
    old.refresh_from_db()
    assert (old.action, old.username, old.case_ref, old.ip) == ("read", "", "", None)


def test_celery_results__expire_and_carry_no_arguments():
    assert settings.CELERY_RESULT_EXPIRES <= 24 * 3600
    assert not getattr(settings, "CELERY_RESULT_EXTENDED", False)  # task arguments are not stored with results


def test_retention__runs_nightly_from_the_beat_schedule(db):
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    # What the data migration installs (a test on a flushed, transactional database may have removed it).
    import_module("stord_bolig.migrations.0003_retention").schedule_create(apps, None)
    task = PeriodicTask.objects.get(task="stord_bolig.tasks.retention_run_task")
    assert task.enabled and task.crontab.hour == "3"


def test_privacy__register_texts_say_what_the_job_does(settings):
    assert f"{settings.RETENTION_YEARS_AFTER_CLOSE} years after" in privacy.CASE
    assert privacy.LEASE == privacy.CASE
    assert privacy.LOG.startswith(f"{settings.RETENTION_ACCESS_LOG_YEARS} years")


def test_retention__an_app_part_sees_only_household_ids(world):
    seen = []
    register_part(RetentionPart("spy", lambda ids, cutoff: seen.append((ids, cutoff)) or {}))
    try:
        run()
    finally:
        from stord_bolig import retention

        retention._parts[:] = [part for part in retention._parts if part.name != "spy"]
    assert seen == [([world["household"].pk], dt.date(2016, 11, 26))]


def test_access_audit__shows_the_last_retention_run(world, client, make_user):
    from tests.conftest import verified_client

    run()
    admin = make_user(None, username="sysowner", is_superuser=True, is_staff=True)
    page = verified_client(client, admin).get(reverse("reports:access-audit"))
    assert page.status_code == 200
    assert 'data-testid="retention"' in page.content.decode()
    assert reverse("admin:stord_bolig_retentionrun_changelist") in page.content.decode()


def test_demo__holds_a_case_the_first_retention_run_anonymises(db, run_on_commit):
    from reports.demo import OLD_CASE_RECEIVED, demo_old_case
    from stord_bolig.demo.users import demo_users_ensure

    users = demo_users_ensure()
    demo_old_case(users)
    household = Application.objects.get(received=OLD_CASE_RECEIVED).household
    assert run_on_commit().households == 1
    household.refresh_from_db()
    assert household.anonymised_on is not None and not household.members.exists()
    demo_old_case(users)  # loading the demo again does not bring the person back
    assert Application.objects.filter(received=OLD_CASE_RECEIVED).count() == 1
    assert not Person.objects.filter(family_name="Tveit").exists()


def test_retention__deletes_stored_files_no_row_refers_to_once_a_day_old(world, run_on_commit):
    import os

    folder = Path(settings.MEDIA_ROOT) / "attachments" / "2013" / "02"
    folder.mkdir(parents=True, exist_ok=True)
    orphan, fresh = folder / f"{FAMILY}-left-behind.pdf", folder / "being-uploaded.pdf"
    orphan.write_bytes(b"%PDF-1.4 " + TEXT.encode())
    fresh.write_bytes(b"%PDF-1.4")
    kept = attachment_store(
        application=world["kept"],
        upload=SimpleUploadedFile("kept.pdf", b"%PDF-1.4 kept", "application/pdf"),
        description="",
        by=world["caseworker"],
    )
    for path in (orphan, Path(kept.file.path)):
        os.utime(path, (at(dt.date(2020, 1, 1)).timestamp(),) * 2)
    assert run_on_commit(dry_run=True).counts["files.orphans"] == 1 and orphan.exists()
    assert run_on_commit().counts["files.orphans"] == 1
    assert not orphan.exists() and fresh.exists()  # a file younger than a day may belong to an upload in flight
    assert Path(kept.file.path).exists()
