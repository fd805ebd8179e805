"""The `stord-bolig/1` document through the database: import, export, re-import, errors, and the commands.

The reporting commands read the database (through the export); the pure rules read the parsed document.
Both must give the same answers for the same records.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pghistory.models
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from allocation.models import Offer, Unit
from allocation.rules import shortlist
from cases import rules, services
from cases.deadlines import deadlines
from cases.models import Appeal, Application, Decision, Household, HouseholdMember, Person, Status
from reports.rules import kostra
from stord_bolig.demo.identity import synthetic_national_id
from stord_bolig.interchange.codec import InterchangeError, parse_document
from stord_bolig.interchange.service import records_export, records_import
from tenancies.models import ArrearsFigure, Lease, TemporaryStay
from tenancies.rules import reminders
from tests.cases.conftest import TODAY, assess, decide, make_ready, register
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

EXAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "example.json"
EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
COLLECTIONS = [key for key in EXAMPLE if key != "format"]
ALL_MODELS = [
    Person,
    Household,
    HouseholdMember,
    Application,
    Decision,
    Appeal,
    Unit,
    Offer,
    Lease,
    ArrearsFigure,
    TemporaryStay,
]


def example() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE)


def as_multiset(records: list[dict]) -> Counter:
    return Counter(json.dumps(record, sort_keys=True, ensure_ascii=False) for record in records)


def assert_same_records(got: dict, expected: dict) -> None:
    assert got["format"] == expected["format"] == "stord-bolig/1"
    assert set(got) == set(expected)
    for name in COLLECTIONS:
        missing = as_multiset(expected[name]) - as_multiset(got[name])
        extra = as_multiset(got[name]) - as_multiset(expected[name])
        assert (name, missing, extra) == (name, Counter(), Counter())


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def history_events() -> int:
    return sum(model.objects.count() for model in apps.get_models() if issubclass(model, pghistory.models.Event))


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_json(*args):
    return json.loads(run(*args))


def index_of(collection: str, ref: str) -> int:
    return next(i for i, record in enumerate(EXAMPLE[collection]) if record["ref"] == ref)


@pytest.fixture
def imported():
    records_import(example())


# --- import and export --------------------------------------------------------------------------------


def test_records_import__creates_every_record_of_the_document():
    result = records_import(example())

    assert result.created == {name: len(EXAMPLE[name]) for name in COLLECTIONS} | {
        "decisions": sum(1 for app in EXAMPLE["applications"] if app["decision"])
    }
    assert row_counts()["Person"] == len(EXAMPLE["people"])
    assert Application.objects.count() == len(EXAMPLE["applications"])
    assert Household.objects.get(ref="H-0001").applicant.national_id == "17067325966"


def test_records_import__sets_the_status_from_decision_and_appeal(imported):
    assert Application.objects.get(ref="S-2026-0010").status == Status.REGISTERED  # no decision yet
    assert Application.objects.get(ref="S-2026-0009").status == Status.DECIDED
    assert Decision.objects.get(application__ref="S-2026-0006").lapsed == dt.date(2026, 11, 25)


def test_records_export__holds_the_same_records_as_the_imported_document(imported):
    assert_same_records(records_export(), EXAMPLE)


def test_records_export__of_an_empty_register_is_a_valid_empty_document():
    exported = records_export()

    assert exported == {"format": "stord-bolig/1", **{name: [] for name in COLLECTIONS}}
    assert parse_document(exported)


def test_records_import__again_changes_nothing(imported):
    events_before = history_events()
    updated_before = dict(Application.objects.values_list("ref", "updated_at"))

    result = records_import(example())

    assert result.changed is False
    assert result.created == {} and result.updated == {}
    assert history_events() == events_before
    assert dict(Application.objects.values_list("ref", "updated_at")) == updated_before


def test_records_import__the_export_of_work_done_in_the_app_changes_nothing(caseworker):
    # Cases at every stage the office works through, then export -> import: a round trip must be a no-op.
    registered = register(caseworker, members=[])
    assessing = register(caseworker)
    assess(assessing, caseworker)
    ready = make_ready(caseworker)
    decided = make_ready(caseworker)
    decide(decided, caseworker, outcome="refused")
    appealed = make_ready(caseworker)
    decide(appealed, caseworker)
    services.appeal_register(application=appealed, received=TODAY, grounds="", by=caseworker)
    statuses = {
        app.ref: Application.objects.get(pk=app.pk).status for app in (registered, assessing, ready, decided, appealed)
    }
    assert set(statuses.values()) == {"registered", "assessment", "ready", "decided", "appealed"}
    events_before = history_events()

    result = records_import(records_export())

    assert result.changed is False, (result.created, result.updated)
    assert dict(Application.objects.values_list("ref", "status")) == statuses
    assert history_events() == events_before
    # what the format does not carry stays as the office wrote it
    assert Person.objects.filter(address="Hamnegata 4", postcode="5411").count() == Person.objects.count() == 5
    assert Application.objects.filter(assigned_to=caseworker).count() == 5


def test_records_import__a_changed_value_updates_only_that_record(imported):
    doc = example()
    doc["applications"][index_of("applications", "S-2026-0010")]["urgency"] = "A"

    result = records_import(doc)

    assert result.updated == {"applications": 1}
    assert Application.objects.get(ref="S-2026-0010").urgency == "A"


def test_records_import__then_registering_continues_after_the_imported_case_numbers(imported, caseworker):
    application = register(caseworker, received=dt.date(2026, 11, 24))

    assert application.ref == "S-2026-0011"
    assert Person.objects.filter(ref__startswith="P-").count() == len(EXAMPLE["people"]) + 1


BROKEN = [
    (
        "decision_notified_before_decided",
        lambda doc: doc["applications"][3]["decision"].update(notified="2024-05-09"),
        "applications[3].decision.notified: date before decided",
    ),
    (
        "unknown_household",
        lambda doc: doc["applications"][3].update(household="H-9999"),
        "applications[3].household: unknown household 'H-9999'",
    ),
    (
        "invalid_national_id",
        lambda doc: doc["people"][5].update(
            national_id=doc["people"][5]["national_id"][:-1] + "0"
            if doc["people"][5]["national_id"][-1] != "0"
            else doc["people"][5]["national_id"][:-1] + "1"
        ),
        "people[5].national_id: invalid",
    ),
    (
        "unknown_key",
        lambda doc: doc["applications"][0].update(colour="blue"),
        "applications[0].colour: unknown key",
    ),
]


@pytest.mark.parametrize(("case", "breaks", "error"), BROKEN, ids=[row[0] for row in BROKEN])
def test_records_import__broken_document_names_the_path_and_writes_nothing(case, breaks, error):
    doc = example()
    breaks(doc)

    with pytest.raises(InterchangeError) as raised:
        records_import(doc)

    assert any(message.startswith(error) for message in raised.value.errors), raised.value.errors
    assert all(count == 0 for count in row_counts().values())


def test_records_import__error_found_while_writing_rolls_everything_back():
    # Jan Paulsen (P-00001 in the document) already lives in another household in the database: the document's
    # people are written before the households, so this is found half-way through the import.
    jan = PersonFactory(
        ref="P-00001",
        national_id="17067325966",
        birth_date=dt.date(1973, 6, 17),
        given_name="Jan-Før",
        family_name="Paulsen",
    )
    household = HouseholdFactory(applicant=jan)
    before = row_counts()

    with pytest.raises(InterchangeError) as raised:
        records_import(example())

    assert raised.value.errors == [f"households[0].members[0].person: already in {household.ref}"]
    assert row_counts() == before
    jan.refresh_from_db()
    assert jan.given_name == "Jan-Før"


def test_records_import__national_id_registered_under_another_ref_is_refused():
    PersonFactory(ref="P-ANNAN", national_id="17067325966", birth_date=dt.date(1973, 6, 17))

    with pytest.raises(InterchangeError) as raised:
        records_import(example())

    assert raised.value.errors == ["people[0].national_id: already registered for P-ANNAN"]
    assert Person.objects.count() == 1
    assert Unit.objects.count() == 0


# --- the commands -------------------------------------------------------------------------------------


def test_import_records_command__imports_the_file_and_reports_counts():
    output = run("import_records", str(EXAMPLE_PATH))

    assert output.startswith("imported (")
    assert f"people: {len(EXAMPLE['people'])} new, 0 changed" in output
    assert Application.objects.count() == len(EXAMPLE["applications"])


def test_import_records_command__broken_file_is_refused_and_nothing_written(tmp_path):
    doc = example()
    doc["applications"][3]["household"] = "H-9999"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    errors = StringIO()

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_records", str(path), stdout=StringIO(), stderr=errors)

    assert "applications[3].household: unknown household 'H-9999'" in errors.getvalue()
    assert all(count == 0 for count in row_counts().values())


def test_export_records_command__writes_the_document_to_stdout(imported):
    assert_same_records(run_json("export_records", "-"), EXAMPLE)


def test_export_records_command__output_imports_into_an_empty_register_unchanged(imported, tmp_path):
    path = tmp_path / "export.json"
    call_command("export_records", str(path), stdout=StringIO())
    for model in reversed(ALL_MODELS):
        model.objects.all().delete()

    run("import_records", str(path))

    assert_same_records(records_export(), EXAMPLE)


@pytest.mark.parametrize("ref", [app["ref"] for app in EXAMPLE["applications"]])
def test_deadlines_command__agrees_with_the_rules_on_the_document(imported, ref):
    got = run_json("deadlines", "--application", ref)

    assert got == deadlines(parse_document(EXAMPLE), ref)
    app = EXAMPLE["applications"][index_of("applications", ref)]
    received = dt.date.fromisoformat(app["received"])
    assert got["preliminary_reply_due"] == rules.preliminary_reply_due(received).isoformat()
    if app["decision"] is None:
        assert got["appeal_deadline"] is None
    else:
        notified = dt.date.fromisoformat(app["decision"]["notified"])
        assert got["appeal_deadline"] == rules.appeal_deadline(notified).isoformat()


def test_deadlines_command__known_values(imported):
    # received 31 Oct -> 30 Nov; notified Sat 21 Nov + 3 weeks = Sat 12 Dec -> Monday 14 Dec
    assert run_json("deadlines", "--application", "S-2026-0009") == {
        "preliminary_reply_due": "2026-11-30",
        "appeal_deadline": "2026-12-14",
    }


def test_deadlines_command__for_a_case_decided_in_the_app(caseworker):
    application = make_ready(caseworker, received=dt.date(2026, 10, 31))
    decide(application, caseworker, decided=dt.date(2026, 11, 20), notified=dt.date(2026, 11, 23))

    assert run_json("deadlines", "--application", application.ref) == {
        "preliminary_reply_due": "2026-11-30",
        "appeal_deadline": "2026-12-14",
    }


def test_deadlines_command__unknown_application_is_an_error(imported):
    with pytest.raises(CommandError, match="S-1999-0001"):
        run("deadlines", "--application", "S-1999-0001")


def test_shortlist_command__agrees_with_the_rules_on_the_document(imported):
    got = run_json("shortlist", "--unit", "U-0003", "--on", "2026-11-25")

    assert got == shortlist(parse_document(EXAMPLE), "U-0003", dt.date(2026, 11, 25))
    assert [row["application"] for row in got["shortlist"]] == ["S-2026-0007"]
    assert {"application": "S-2026-0008", "reasons": ["suspended"]} in got["excluded"]


def test_shortlist_command__unknown_unit_is_an_error(imported):
    with pytest.raises(CommandError, match="U-9999"):
        run("shortlist", "--unit", "U-9999", "--on", "2026-11-25")


def test_reminders_command__agrees_with_the_rules_on_the_document(imported):
    got = run_json("reminders", "--today", "2026-11-25")

    assert got == reminders(parse_document(EXAMPLE), dt.date(2026, 11, 25))
    assert {"kind": "preliminary_reply", "application": "S-2024-0004", "due": "2024-10-20"} in got
    assert [row["due"] for row in got] == sorted(row["due"] for row in got)


def test_reminders_command__a_preliminary_reply_sent_in_the_app_closes_its_reminder(imported, caseworker):
    application = Application.objects.get(ref="S-2024-0004")
    services.preliminary_reply_send(
        application=application, reason="Ventar på dokumentasjon.", expected=dt.date(2027, 1, 15), by=caseworker
    )

    got = run_json("reminders", "--today", "2026-11-25")

    assert not [row for row in got if row.get("application") == "S-2024-0004"]


def test_report_kostra_command__agrees_with_the_rules_on_the_document(imported):
    got = run_json("report", "kostra", "--year", "2025")

    assert got == kostra(parse_document(EXAMPLE), 2025)
    assert {
        key: got[key]
        for key in (
            "units_total",
            "units_owned",
            "units_wheelchair",
            "units_wheelchair_share",
            "moved_in_new",
            "waiting_list",
            "temp_households",
            "temp_natthjem",
        )
    } == {
        "units_total": 15,
        "units_owned": 11,
        "units_wheelchair": 8,
        "units_wheelchair_share": 53.3,
        "moved_in_new": 3,
        "waiting_list": 5,
        "temp_households": 6,
        "temp_natthjem": 2,
    }


def test_report_kostra_command__csv_has_one_row_per_figure(imported):
    lines = run("report", "kostra", "--year", "2025", "--format", "csv").splitlines()

    assert lines[0] == "key,value"
    assert "units_total,15" in lines
    assert "units_wheelchair_share,53.3" in lines
    assert len(lines) == 1 + len(kostra(parse_document(EXAMPLE), 2025))


def test_records_import__a_person_moves_to_another_household_listed_after_the_one_they_leave():
    def document(first: list[str], second: list[str]) -> dict:
        people = [
            {"ref": ref, "national_id": national_id, "given_name": name, "family_name": "Flyt", "birth_date": born}
            for ref, national_id, name, born in (
                ("P-F1", "17067325966", "Jan", "1973-06-17"),
                ("P-F2", synthetic_national_id(dt.date(1980, 3, 3)), "Eli", "1980-03-03"),
                ("P-F3", synthetic_national_id(dt.date(1990, 4, 4)), "Ola", "1990-04-04"),
            )
        ]
        households = [
            {
                "ref": ref,
                "members": [{"person": p, "role": "applicant" if i == 0 else "partner"} for i, p in enumerate(m)],
            }
            for ref, m in (("H-F1", first), ("H-F2", second))
        ]
        empty = {key: [] for key in ("units", "applications", "offers", "leases", "arrears", "temporary_stays")}
        return {"format": "stord-bolig/1", "people": people, "households": households, **empty}

    records_import(document(["P-F1", "P-F2"], ["P-F3"]))
    records_import(document(["P-F1"], ["P-F3", "P-F2"]))  # Eli leaves H-F1, which comes first, for H-F2

    members = dict(HouseholdMember.objects.values_list("person__ref", "household__ref"))
    assert members == {"P-F1": "H-F1", "P-F2": "H-F2", "P-F3": "H-F2"}
    with pytest.raises(InterchangeError) as raised:  # back again, but H-F1 now comes before H-F2 lets her go
        records_import(document(["P-F1", "P-F2"], ["P-F3"]))
    assert raised.value.errors == ["households[0].members[1].person: already in H-F2"]
