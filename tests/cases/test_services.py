"""Every write on a case: registration, workflow, assessment, decision, letters, appeals (cases/services.py)."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cases import rules, services
from cases.models import (
    Appeal,
    Application,
    Assessment,
    CaseEvent,
    Decision,
    HealthAssessment,
    Household,
    HouseholdMember,
    Person,
    RefCounter,
    Status,
)
from cases.services import TransitionNotAllowed
from stord_bolig.demo.identity import synthetic_national_id
from stord_bolig.models import Letter
from tests.cases.conftest import (
    OSLO,
    TODAY,
    applicant_data,
    assess,
    decide,
    fresh_id,
    invalid_national_id,
    make_ready,
    member_data,
    register,
)
from tests.factories import ApplicationFactory, HouseholdFactory, HouseholdMemberFactory, PersonFactory

CASE_NUMBER = re.compile(r"^S-(\d{4})-(\d{4})$")


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Person, Household, HouseholdMember, Application, CaseEvent, Assessment, Decision, Letter)
    }


def _events(application) -> list[tuple[str, str]]:
    return list(application.status_events.order_by("id").values_list("from_status", "to_status"))


# --- application_register ------------------------------------------------------------------------


@pytest.mark.django_db
def test_application_register__creates_household_with_applicant_and_members(caseworker):
    child_born = dt.date(2015, 5, 20)
    application = register(
        caseworker,
        members=[member_data("partner", dt.date(1982, 7, 1)), member_data("child", child_born, given_name="Ola")],
    )

    members = list(application.household.members.select_related("person").order_by("position"))
    assert [m.role for m in members] == ["applicant", "partner", "child"]
    assert application.household.applicant.given_name == "Solveig"
    assert members[2].person.given_name == "Ola"
    assert members[2].person.birth_date == child_born  # read from the national id
    assert application.status == Status.REGISTERED
    assert application.assigned_to == caseworker
    event = application.status_events.get()
    assert (event.from_status, event.to_status, event.by) == ("", Status.REGISTERED, caseworker)


@pytest.mark.django_db
def test_application_register__case_number_is_s_year_and_four_digits(caseworker):
    first = register(caseworker, received=dt.date(2026, 3, 2))
    second = register(caseworker, received=dt.date(2026, 11, 24))
    last_year = register(caseworker, received=dt.date(2025, 12, 30))

    assert CASE_NUMBER.match(first.ref)
    assert (first.ref, second.ref) == ("S-2026-0001", "S-2026-0002")
    assert last_year.ref == "S-2025-0001"  # the year of receipt, not of registration


@pytest.mark.django_db
def test_application_register__skips_case_numbers_already_taken_by_imported_cases(caseworker):
    ApplicationFactory(ref="S-2026-0041")

    application = register(caseworker)

    assert application.ref == "S-2026-0042"


@pytest.mark.django_db
def test_application_register__same_applicant_again_reuses_person_and_household(caseworker):
    first = register(caseworker)
    number = first.household.applicant.national_id
    spaced = f"{number[:6]} {number[6:]}"

    second = register(caseworker, kind="housing_assistance", national_id=spaced)

    assert second.household_id == first.household_id
    assert second.ref != first.ref
    assert Person.objects.filter(national_id=number).count() == 1
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_application_register__applicant_who_is_member_of_another_household_is_refused(caseworker):
    parent_case = register(caseworker, members=[member_data("other_adult", dt.date(2004, 2, 2))])
    adult_child = parent_case.household.members.get(role="other_adult").person
    before = _counts()

    with pytest.raises(ValidationError) as error:
        register(caseworker, national_id=adult_child.national_id)

    assert parent_case.household.ref in error.value.message_dict["national_id"][0]
    assert _counts() == before


@pytest.mark.django_db
def test_application_register__member_already_in_another_household_is_refused_and_nothing_written(caseworker):
    other = PersonFactory(given_name="Berit", family_name="Opptatt")
    HouseholdMemberFactory(person=other)
    before = _counts()

    with pytest.raises(ValidationError) as error:
        register(caseworker, members=[member_data("partner", other.birth_date, national_id=other.national_id)])

    assert "Berit Opptatt" in " ".join(error.value.messages)
    assert _counts() == before


@pytest.mark.django_db
def test_person_create__second_registration_of_the_same_number_is_refused(caseworker):
    person = services.person_create(**applicant_data())

    with pytest.raises(ValidationError) as error:
        services.person_create(**applicant_data(national_id=person.national_id))

    assert person.ref in error.value.message_dict["national_id"][0]
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_person_create__d_number_gets_its_birth_date():
    born = dt.date(1990, 8, 9)

    person = services.person_create(**applicant_data(national_id=fresh_id(born, d_number=True)))

    assert person.birth_date == born
    assert person.national_id_masked.endswith("•••••")


@pytest.mark.django_db
def test_application_register__invalid_national_id_refused_with_message_and_nothing_written(caseworker):
    with pytest.raises(ValidationError) as error:
        register(caseworker, national_id=invalid_national_id())

    assert error.value.message_dict["national_id"] == [gettext("Not a valid fødselsnummer or D-nummer.")]
    assert all(count == 0 for count in _counts().values())
    assert not RefCounter.objects.exists()  # not even a case number is used up


@pytest.mark.django_db
def test_application_register__invalid_member_national_id_leaves_no_applicant_behind(caseworker):
    with pytest.raises(ValidationError) as error:
        register(caseworker, members=[member_data("child", dt.date(2016, 1, 1), national_id="12345678901")])

    assert "national_id" in error.value.message_dict
    assert all(count == 0 for count in _counts().values())


@pytest.mark.django_db
@pytest.mark.parametrize("situation", ["granted_and_waiting", "renting"])
def test_application_register__no_second_application_for_a_home_while_granted_one_or_living_in_one(
    caseworker, situation
):
    from tests.factories import LeaseFactory

    first = make_ready(caseworker, received=dt.date(2026, 9, 1))
    decide(first, caseworker, outcome="granted", decided=dt.date(2026, 10, 1))
    national_id = first.household.applicant.national_id
    if situation == "renting":
        LeaseFactory(
            household=first.household, application=first, start=dt.date(2026, 11, 1), end=dt.date(2029, 10, 31)
        )
    cases_before = Application.objects.count()

    with pytest.raises(ValidationError) as caught, translation.override("en"):
        register(caseworker, national_id=national_id, received=TODAY)

    message = caught.value.message_dict["kind"][0]
    if situation == "renting":
        assert message.startswith("The household rents a municipal home (lease L-")
    else:
        assert message == (
            f"The household is already granted a municipal home ({first.ref}) and is on the waiting list: "
            "no new application is needed."
        )
    assert Application.objects.count() == cases_before
    # other help is still applied for
    assert register(caseworker, national_id=national_id, received=TODAY, kind="housing_assistance").household == (
        first.household
    )


@pytest.mark.django_db
def test_application_register__future_received_date_refused(caseworker):
    with pytest.raises(ValidationError) as error:
        register(caseworker, received=TODAY + dt.timedelta(days=1))

    assert "received" in error.value.message_dict
    assert all(count == 0 for count in _counts().values())


@pytest.mark.django_db
def test_application_register__received_today_is_accepted(caseworker):
    assert register(caseworker, received=TODAY).received == TODAY


# --- case numbers under concurrency ----------------------------------------------------------------


def _run_in_threads(count: int, work) -> list:
    """Run `work(index)` in `count` threads started together; return all results, re-raise the first error."""
    barrier = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            produced = work(index)
            with lock:
                results.extend(produced)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


@pytest.mark.django_db(transaction=True)
def test_case_number_next__never_collides_under_concurrency():
    per_thread = 25

    numbers = _run_in_threads(6, lambda _index: [services.case_number_next(2026) for _ in range(per_thread)])

    assert len(numbers) == 6 * per_thread
    assert len(set(numbers)) == len(numbers)
    assert sorted(numbers) == [f"S-2026-{n:04d}" for n in range(1, 6 * per_thread + 1)]


@pytest.mark.django_db(transaction=True)
def test_application_register__concurrent_registrations_get_distinct_case_numbers(make_user):
    user = make_user("caseworker")
    threads, per_thread = 4, 8
    # Distinct birth dates per registration: the numbers are made up front, not raced for in the threads.
    ids = [
        [
            synthetic_national_id(dt.date(1970, 1, 1) + dt.timedelta(days=40 * (t * per_thread + n)), 3)
            for n in range(per_thread)
        ]
        for t in range(threads)
    ]

    def work(index: int) -> list[str]:
        refs = []
        for number in ids[index]:
            application = services.application_register(
                applicant=applicant_data(national_id=number),
                members=[],
                kind="municipal_housing",
                received=dt.date(2026, 10, 1),
                by=user,
            )
            refs.append(application.ref)
        return refs

    refs = _run_in_threads(threads, work)

    assert len(refs) == threads * per_thread
    assert len(set(refs)) == len(refs)
    assert set(Application.objects.values_list("ref", flat=True)) == set(refs)
    assert Household.objects.values("ref").distinct().count() == threads * per_thread


# --- workflow --------------------------------------------------------------------------------------

GENERIC_MOVES = [
    (Status.REGISTERED, Status.ASSESSMENT),
    (Status.REGISTERED, Status.CLOSED),
    (Status.ASSESSMENT, Status.CLOSED),
    (Status.READY, Status.ASSESSMENT),
    (Status.READY, Status.CLOSED),
    (Status.DECIDED, Status.CLOSED),
    (Status.APPEALED, Status.CLOSED),
]

NOT_ALLOWED = [
    (from_status, to_status)
    for from_status in Status
    for to_status in Status
    if to_status not in Status.transitions()[from_status]
]

SERVICE_ONLY = [
    (Status.ASSESSMENT, Status.READY),  # assessment_complete checks the recommendation
    (Status.READY, Status.DECIDED),  # application_decide writes the decision and its letter
    (Status.DECIDED, Status.APPEALED),  # appeal_register records the appeal
    (Status.APPEALED, Status.DECIDED),  # appeal_reconsider / appeal_outcome_record
]


@pytest.mark.django_db
def test_application_transition__registered_to_decided_is_refused(caseworker):
    application = register(caseworker)

    with pytest.raises(TransitionNotAllowed):
        services.application_transition(application=application, to_status=Status.DECIDED, by=caseworker)

    application.refresh_from_db()
    assert application.status == Status.REGISTERED
    assert _events(application) == [("", "registered")]
    assert not Decision.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), NOT_ALLOWED, ids=[f"{a}-{b}" for a, b in NOT_ALLOWED])
def test_application_transition__moves_not_in_the_table_are_refused(caseworker, from_status, to_status):
    application = ApplicationFactory(status=from_status)

    with pytest.raises(TransitionNotAllowed):
        services.application_transition(application=application, to_status=to_status, by=caseworker)

    application.refresh_from_db()
    assert application.status == from_status
    assert not CaseEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), SERVICE_ONLY, ids=[f"{a}-{b}" for a, b in SERVICE_ONLY])
def test_application_transition__moves_with_their_own_service_are_refused(caseworker, from_status, to_status):
    application = ApplicationFactory(status=from_status)

    with pytest.raises(TransitionNotAllowed):
        services.application_transition(application=application, to_status=to_status, by=caseworker)

    application.refresh_from_db()
    assert application.status == from_status
    assert not CaseEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), GENERIC_MOVES, ids=[f"{a}-{b}" for a, b in GENERIC_MOVES])
def test_application_transition__allowed_move_writes_an_event(caseworker, from_status, to_status):
    application = ApplicationFactory(status=from_status)

    services.application_transition(application=application, to_status=to_status, by=caseworker, note="Avklart.")

    application.refresh_from_db()
    assert application.status == to_status
    event = CaseEvent.objects.get()
    assert (event.application, event.from_status, event.to_status, event.by, event.note) == (
        application,
        from_status,
        to_status,
        caseworker,
        "Avklart.",
    )


@pytest.mark.django_db
def test_application_transition__a_closed_case_with_no_record_of_its_closing_goes_nowhere(caseworker):
    application = ApplicationFactory(status=Status.CLOSED)  # as imported: what it was closed from is unknown

    for target in Status:
        with pytest.raises(TransitionNotAllowed):
            services.application_transition(application=application, to_status=target, by=caseworker)

    assert not CaseEvent.objects.exists()


@pytest.mark.django_db
def test_workflow__each_service_move_is_recorded_with_from_to_and_by(caseworker, make_user):
    decider = make_user("caseworker")
    application = make_ready(caseworker)
    decide(application, decider)
    services.appeal_register(application=application, received=TODAY, grounds="Eg er ueinig.", by=caseworker)

    events = list(application.status_events.order_by("id").values_list("from_status", "to_status", "by"))
    assert events == [
        ("", "registered", caseworker.pk),
        ("registered", "assessment", caseworker.pk),
        ("assessment", "ready", caseworker.pk),
        ("ready", "decided", decider.pk),
        ("decided", "appealed", caseworker.pk),
    ]


# --- assessment_save -------------------------------------------------------------------------------

SUGGESTIONS = [
    ("homeless_1", {}, None, "A"),
    ("homeless_2", {}, None, "A"),
    ("homeless_3", {}, None, "A"),
    ("homeless_4", {}, None, "A"),
    ("homeless_5", {}, None, "B"),
    ("own_rented", {"children_in_unsuitable_housing": True}, None, "B"),
    ("with_family", {}, {"documented_health_need": True}, "B"),
    ("own_rented", {}, {"documented_health_need": False, "mental_health": True}, "C"),
    ("own_rented", {}, None, "C"),
    ("own_owned", {}, None, "C"),
    ("with_family", {}, None, "C"),
    ("institution_other", {}, None, "C"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("situation", "data", "health", "band"),
    SUGGESTIONS,
    ids=[f"{row[0]}-{'-'.join([*row[1], *(row[2] or {})]) or 'plain'}" for row in SUGGESTIONS],
)
def test_assessment_save__suggests_the_band_of_the_assessment(caseworker, situation, data, health, band):
    application = register(caseworker)

    assess(application, caseworker, housing_situation=situation, urgency=band, health=health, **data)

    application.refresh_from_db()
    assert (application.urgency, application.urgency_suggested) == (band, band)
    assert application.housing_situation == situation
    # following the suggestion needs no reason and writes no override event
    assert not application.status_events.filter(from_status=F("to_status")).exists()


@pytest.mark.django_db
def test_assessment_save__suggestion_without_reason_differs_refused_and_nothing_saved(caseworker):
    application = register(caseworker)

    with pytest.raises(ValidationError) as error:
        assess(application, caseworker, housing_situation="homeless_1", urgency="C", urgency_reason="  ")

    assert "A" in error.value.message_dict["urgency_reason"][0]
    application.refresh_from_db()
    assert (application.status, application.urgency, application.housing_situation) == (
        Status.REGISTERED,
        "C",
        "own_rented",
    )
    assert not Assessment.objects.exists()
    assert _events(application) == [("", "registered")]


@pytest.mark.django_db
def test_assessment_save__override_with_reason_is_saved_and_logged(caseworker):
    application = register(caseworker)

    assess(
        application,
        caseworker,
        housing_situation="with_family",
        urgency="A",
        urgency_reason="Utkasta i går, bur i bil.",
    )

    application.refresh_from_db()
    assert (application.urgency, application.urgency_suggested) == ("A", "C")
    assert application.urgency_reason == "Utkasta i går, bur i bil."
    event = application.status_events.get(note_params__reason="Utkasta i går, bur i bil.")
    assert event.by == caseworker
    with translation.override("en"):
        assert event.note_text == "Urgency band set to A (suggested C): Utkasta i går, bur i bil."


@pytest.mark.django_db
def test_assessment_save__same_override_saved_again_is_logged_once(caseworker):
    application = register(caseworker)
    for _ in range(2):
        assess(application, caseworker, urgency="B", urgency_reason="Einsleg forsørgjar.")

    assert application.status_events.filter(note_params__reason="Einsleg forsørgjar.").count() == 1


@pytest.mark.django_db
def test_assessment_save__health_need_already_recorded_still_counts_when_health_is_not_sent(caseworker):
    application = register(caseworker)
    assess(application, caseworker, urgency="B", health={"documented_health_need": True})

    # a user without the health section saves the assessment again: the recorded health need still counts
    assess(application, caseworker, urgency="B", health=None)

    application.refresh_from_db()
    assert application.urgency_suggested == "B"
    assert HealthAssessment.objects.get(application=application).documented_health_need is True


@pytest.mark.django_db
def test_assessment_save__bedroom_override_needs_a_reason(caseworker):
    application = register(caseworker)

    with pytest.raises(ValidationError) as error:
        assess(application, caseworker, min_bedrooms_override=3, min_bedrooms_reason="")

    assert "min_bedrooms_reason" in error.value.message_dict
    application.refresh_from_db()
    assert application.min_bedrooms_override is None
    assert application.status == Status.REGISTERED


@pytest.mark.django_db
def test_assessment_save__bedroom_override_with_reason_is_saved(caseworker):
    application = register(caseworker)

    assess(application, caseworker, min_bedrooms_override=3, min_bedrooms_reason="Samvær med tre born.")

    application.refresh_from_db()
    assert (application.min_bedrooms_override, application.min_bedrooms_reason) == (3, "Samvær med tre born.")


@pytest.mark.django_db
def test_assessment_save__moves_registered_to_assessment_once(caseworker):
    application = register(caseworker)

    assess(application, caseworker, own_goals="Eiga leilegheit nær skulen.")
    assess(application, caseworker, own_goals="Eiga leilegheit nær skulen og jobben.")

    application.refresh_from_db()
    assert application.status == Status.ASSESSMENT
    assert _events(application) == [("", "registered"), ("registered", "assessment")]
    assessment = Assessment.objects.get(application=application)
    assert assessment.own_goals == "Eiga leilegheit nær skulen og jobben."
    assert assessment.updated_by == caseworker


@pytest.mark.django_db
def test_assessment_save__closed_case_refused(caseworker):
    application = ApplicationFactory(status=Status.CLOSED)

    with pytest.raises(TransitionNotAllowed):
        assess(application, caseworker)

    assert not Assessment.objects.exists()


# --- assessment_complete ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_assessment_complete__without_assessment_refused(caseworker):
    application = register(caseworker)

    with pytest.raises(ValidationError):
        services.assessment_complete(application=application, by=caseworker)

    application.refresh_from_db()
    assert application.status == Status.REGISTERED


@pytest.mark.django_db
def test_assessment_complete__needs_a_recommendation(caseworker):
    application = register(caseworker)
    assess(application, caseworker, recommendation="")

    with pytest.raises(ValidationError) as error:
        services.assessment_complete(application=application, by=caseworker)

    assert error.value.messages == [
        gettext("The assessment needs a recommendation before the case is ready for decision.")
    ]
    application.refresh_from_db()
    assert application.status == Status.ASSESSMENT
    assert Assessment.objects.get().completed_at is None


@pytest.mark.django_db
def test_assessment_complete__with_recommendation_makes_the_case_ready(caseworker):
    application = register(caseworker)
    assess(application, caseworker, recommendation="startlan")

    services.assessment_complete(application=application, by=caseworker)

    application.refresh_from_db()
    assert application.status == Status.READY
    assert Assessment.objects.get().completed_at is not None
    assert _events(application)[-1] == ("assessment", "ready")


# --- application_decide ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Status.REGISTERED, Status.ASSESSMENT, Status.DECIDED, Status.APPEALED, Status.CLOSED]
)
def test_application_decide__only_from_ready(caseworker, status):
    application = ApplicationFactory(status=status)

    with pytest.raises(TransitionNotAllowed):
        decide(application, caseworker)

    application.refresh_from_db()
    assert application.status == status
    assert not Decision.objects.exists()
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_application_decide__grants_writes_decision_event_and_one_letter(caseworker):
    application = make_ready(caseworker, received=dt.date(2026, 9, 14))

    decision = decide(
        application, caseworker, outcome="granted", home_description="2 soverom, 1. etasje", lease_years=3
    )

    application.refresh_from_db()
    assert application.status == Status.DECIDED
    assert (decision.outcome, decision.decided, decision.decided_by) == ("granted", TODAY, caseworker)
    assert decision.legal_basis == rules.LEGAL_BASIS["municipal_housing"]  # the default for the kind
    assert decision.appeal_deadline == rules.appeal_deadline(decision.notified)
    event = application.status_events.order_by("-id").first()
    assert (event.from_status, event.to_status, event.by) == ("ready", "decided", caseworker)
    letter = Letter.objects.get()
    assert (letter.kind, letter.case_ref, letter.language, letter.status) == (
        "decision",
        application.ref,
        "nn",
        Letter.Status.QUEUED,
    )


@pytest.mark.django_db
def test_application_decide__notified_defaults_to_decided(caseworker):
    application = make_ready(caseworker)

    decision = decide(application, caseworker, decided=dt.date(2026, 11, 20), notified=None)

    assert decision.notified == dt.date(2026, 11, 20)


@pytest.mark.django_db
def test_application_decide__keeps_a_later_notified_date(caseworker):
    application = make_ready(caseworker)

    decision = decide(application, caseworker, decided=dt.date(2026, 11, 20), notified=dt.date(2026, 11, 23))

    assert decision.notified == dt.date(2026, 11, 23)
    assert decision.appeal_deadline == dt.date(2026, 12, 14)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"decided": dt.date(2026, 9, 30)}, "decided"),  # before received (1 Oct)
        ({"decided": TODAY + dt.timedelta(days=1)}, "decided"),
        ({"decided": dt.date(2026, 11, 20), "notified": dt.date(2026, 11, 19)}, "notified"),
        ({"facts": "   "}, "assessment"),
        ({"assessment": ""}, "assessment"),
    ],
    ids=["decided_before_received", "decided_in_future", "notified_before_decided", "no_facts", "no_assessment"],
)
def test_application_decide__bad_dates_or_missing_reasons_refused(caseworker, values, field):
    application = make_ready(caseworker, received=dt.date(2026, 10, 1))

    with pytest.raises(ValidationError) as error:
        decide(application, caseworker, **values)

    assert field in error.value.message_dict
    application.refresh_from_db()
    assert application.status == Status.READY
    assert not Decision.objects.exists()
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_application_decide__twice_fails_cleanly_with_one_decision_and_one_letter(caseworker):
    application = make_ready(caseworker)
    decide(application, caseworker, outcome="granted")

    with pytest.raises(TransitionNotAllowed):
        decide(application, caseworker, outcome="refused")

    assert Decision.objects.get().outcome == "granted"
    assert Letter.objects.filter(kind="decision").count() == 1
    assert application.status_events.filter(to_status="decided").count() == 1


@pytest.mark.django_db
def test_application_decide__letter_in_the_applicants_language_unless_chosen(caseworker):
    bokmal = make_ready(caseworker, preferred_language="nb")
    chosen = make_ready(caseworker, preferred_language="nb")

    decide(bokmal, caseworker)
    decide(chosen, caseworker, language="nn")

    assert Letter.objects.get(case_ref=bokmal.ref).language == "nb"
    assert Letter.objects.get(case_ref=chosen.ref).language == "nn"


# --- preliminary_reply_send ------------------------------------------------------------------------


@pytest.mark.django_db
def test_preliminary_reply_send__records_the_date_and_queues_one_letter(caseworker):
    application = register(caseworker)

    services.preliminary_reply_send(
        application=application, reason="Vi ventar på legeerklæring.", expected=dt.date(2027, 1, 15), by=caseworker
    )

    application.refresh_from_db()
    assert application.preliminary_reply_sent == TODAY
    letter = Letter.objects.get()
    assert (letter.kind, letter.case_ref) == ("preliminary_reply", application.ref)
    assert letter.context["reason"] == "Vi ventar på legeerklæring."


@pytest.mark.django_db
def test_preliminary_reply_send__only_once(caseworker):
    application = register(caseworker)
    services.preliminary_reply_send(
        application=application, reason="Ventar.", expected=dt.date(2027, 1, 15), by=caseworker
    )

    with pytest.raises(TransitionNotAllowed):
        services.preliminary_reply_send(
            application=application, reason="Igjen.", expected=dt.date(2027, 2, 1), by=caseworker
        )

    assert Letter.objects.filter(kind="preliminary_reply").count() == 1
    application.refresh_from_db()
    assert application.preliminary_reply_sent == TODAY


@pytest.mark.django_db
def test_preliminary_reply_send__refused_for_a_decided_case(caseworker):
    application = make_ready(caseworker)
    decide(application, caseworker)

    with pytest.raises(TransitionNotAllowed):
        services.preliminary_reply_send(
            application=application, reason="Ventar.", expected=dt.date(2027, 1, 15), by=caseworker
        )

    assert not Letter.objects.filter(kind="preliminary_reply").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reason", "expected", "field"),
    [
        ("Ventar.", TODAY, "expected"),
        ("Ventar.", dt.date(2026, 11, 1), "expected"),
        (" ", dt.date(2027, 1, 1), "reason"),
    ],
    ids=["expected_today", "expected_in_past", "no_reason"],
)
def test_preliminary_reply_send__needs_a_reason_and_a_future_date(caseworker, reason, expected, field):
    application = register(caseworker)

    with pytest.raises(ValidationError) as error:
        services.preliminary_reply_send(application=application, reason=reason, expected=expected, by=caseworker)

    assert field in error.value.message_dict
    application.refresh_from_db()
    assert application.preliminary_reply_sent is None
    assert not Letter.objects.exists()


# --- advance_notice_send ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_advance_notice_send__queues_a_letter_with_the_plan_and_deadline(caseworker):
    application = register(caseworker)

    letter, created = services.advance_notice_send(
        application=application,
        planned="Avslag på fornying av leigekontrakten.",
        reply_by=dt.date(2026, 12, 9),
        by=caseworker,
    )

    assert created
    assert (letter.kind, letter.case_ref) == ("advance_notice", application.ref)
    assert letter.context["planned"] == "Avslag på fornying av leigekontrakten."
    assert letter.context["reply_by_text"] == "9.\u00a0desember 2026"  # a no-break space: the date stays on one line


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("planned", "reply_by", "field"),
    [
        ("Avslag.", TODAY, "reply_by"),
        ("Avslag.", TODAY + dt.timedelta(days=6), "reply_by"),  # too short for a posted letter and an answer
        ("", dt.date(2026, 12, 9), "planned"),
    ],
    ids=["deadline_today", "deadline_within_a_week", "nothing_planned"],
)
def test_advance_notice_send__needs_a_plan_and_a_future_deadline(caseworker, planned, reply_by, field):
    application = register(caseworker)

    with pytest.raises(ValidationError) as error:
        services.advance_notice_send(application=application, planned=planned, reply_by=reply_by, by=caseworker)

    assert field in error.value.message_dict
    assert not Letter.objects.exists()


@pytest.mark.django_db
def test_application_decide__no_refusal_before_the_advance_notices_deadline_to_comment(
    caseworker, caseworker_client, _today
):
    application = make_ready(caseworker, received=dt.date(2026, 11, 1))
    services.advance_notice_send(
        application=application, planned="Avslag.", reply_by=dt.date(2026, 12, 9), by=caseworker
    )
    page = caseworker_client.get(reverse("cases:case-detail", args=[application.ref])).content.decode()
    assert "09.12.2026" in page[page.index('data-testid="comment-deadline"') :][:200]

    with pytest.raises(ValidationError) as caught, translation.override("en"):
        decide(application, caseworker, outcome="refused")

    assert caught.value.message_dict["decided"] == [
        "The advance notice gave the party until 09.12.2026 to comment: the refusal can be decided from 10.12.2026."
    ]
    assert not Decision.objects.exists()
    _today.move_to(dt.datetime(2026, 12, 10, 10, 0, tzinfo=OSLO))
    decision = decide(application, caseworker, outcome="refused", decided=dt.date(2026, 12, 10))
    assert decision.outcome == "refused"


# --- appeals ---------------------------------------------------------------------------------------


def _decided(caseworker, *, kind="municipal_housing", notified=None, outcome="refused"):
    application = make_ready(caseworker, kind=kind, received=dt.date(2026, 9, 1))
    decision = decide(application, caseworker, outcome=outcome, decided=dt.date(2026, 10, 1), notified=notified)
    application.refresh_from_db()
    return application, decision


@pytest.mark.django_db
def test_appeal_register__undecided_case_refused(caseworker):
    application = make_ready(caseworker)

    with pytest.raises(TransitionNotAllowed):
        services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)

    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_appeal_register__received_before_the_decision_refused(caseworker):
    application, _decision = _decided(caseworker)

    with pytest.raises(ValidationError) as error:
        services.appeal_register(application=application, received=dt.date(2026, 9, 30), grounds="", by=caseworker)

    assert "received" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == Status.DECIDED
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_appeal_register__received_tomorrow_is_a_typing_error_and_refused(caseworker):
    application, _decision = _decided(caseworker)

    with pytest.raises(ValidationError) as error:
        services.appeal_register(
            application=application, received=TODAY + dt.timedelta(days=1), grounds="", by=caseworker
        )

    assert "received" in error.value.message_dict
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_appeal_register__in_time_is_recorded_and_the_case_is_appealed(caseworker):
    application, decision = _decided(caseworker, notified=dt.date(2026, 10, 2))
    deadline = rules.appeal_deadline(decision.notified)

    appeal = services.appeal_register(
        application=application, received=deadline, grounds=" For lite vekt på helsa. ", by=caseworker
    )

    application.refresh_from_db()
    assert application.status == Status.APPEALED
    assert (appeal.received, appeal.grounds, appeal.outcome) == (deadline, "For lite vekt på helsa.", "pending")
    event = application.status_events.order_by("-id").first()
    assert (event.from_status, event.to_status, event.note_text) == ("decided", "appealed", gettext("Appeal received."))


@pytest.mark.django_db
def test_appeal_register__late_appeal_is_noted(caseworker):
    application, decision = _decided(caseworker, notified=dt.date(2026, 10, 2))
    late = rules.appeal_deadline(decision.notified) + dt.timedelta(days=1)

    services.appeal_register(application=application, received=late, grounds="", by=caseworker)

    event = application.status_events.order_by("-id").first()
    assert event.to_status == "appealed"
    assert event.note_text == gettext("Appeal received after the deadline.")


@pytest.mark.django_db
def test_appeal_register__second_appeal_while_one_is_pending_refused(caseworker):
    application, _decision = _decided(caseworker)
    services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)

    with pytest.raises(TransitionNotAllowed):
        services.appeal_register(application=application, received=TODAY, grounds="Igjen.", by=caseworker)

    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_appeal_reconsider__reverse_returns_the_case_to_decided(caseworker):
    application, _decision = _decided(caseworker)
    appeal = services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)

    with pytest.raises(ValidationError):  # a new decision without its grounds
        services.appeal_reconsider(appeal=appeal, reverse=True, by=caseworker)
    services.appeal_reconsider(
        appeal=appeal,
        reverse=True,
        by=caseworker,
        reasons={"facts": "Legeerklæringa kom med klaga.", "assessment": "Husstanden fyller vilkåra likevel."},
    )

    appeal.refresh_from_db()
    application.refresh_from_db()
    assert application.status == Status.DECIDED
    assert (appeal.outcome, appeal.reconsidered, appeal.outcome_date) == ("reversed", TODAY, TODAY)
    assert (appeal.forwarded, appeal.forwarded_to) == (None, "")
    assert _events(application)[-1] == ("appealed", "decided")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "body"),
    [("municipal_housing", "klagenemnda i Stord kommune"), ("housing_assistance", "Statsforvaltaren i Vestland")],
)
def test_appeal_reconsider__forward_goes_to_the_right_appeal_body(caseworker, kind, body):
    application, _decision = _decided(caseworker, kind=kind)
    appeal = services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)

    services.appeal_reconsider(appeal=appeal, reverse=False, by=caseworker, note="Sendt med saksdokument.")

    appeal.refresh_from_db()
    application.refresh_from_db()
    assert appeal.forwarded_to == body
    assert (appeal.forwarded, appeal.reconsidered, appeal.outcome) == (TODAY, TODAY, "pending")
    assert application.status == Status.APPEALED
    event = application.status_events.order_by("-id").first()
    assert body in event.note_text and "Sendt med saksdokument." in event.note_text


@pytest.mark.django_db
def test_appeal_reconsider__an_appeal_is_handled_once(caseworker):
    application, _decision = _decided(caseworker)
    appeal = services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)
    services.appeal_reconsider(appeal=appeal, reverse=False, by=caseworker)

    with pytest.raises(TransitionNotAllowed):
        services.appeal_reconsider(appeal=appeal, reverse=True, by=caseworker)

    appeal.refresh_from_db()
    assert appeal.outcome == "pending"
    assert Application.objects.get().status == Status.APPEALED


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["upheld", "reversed"])
def test_appeal_outcome_record__the_bodys_outcome_closes_the_appeal(caseworker, outcome):
    application, _decision = _decided(caseworker, kind="housing_assistance")
    appeal = services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)
    services.appeal_reconsider(appeal=appeal, reverse=False, by=caseworker)

    services.appeal_outcome_record(appeal=appeal, outcome=outcome, decided=TODAY, by=caseworker)

    appeal.refresh_from_db()
    application.refresh_from_db()
    assert (appeal.outcome, appeal.outcome_date) == (outcome, TODAY)
    assert application.status == Status.DECIDED
    assert _events(application)[-1] == ("appealed", "decided")
    with pytest.raises(TransitionNotAllowed):
        services.appeal_outcome_record(appeal=appeal, outcome="upheld", decided=TODAY, by=caseworker)


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["upheld", "reversed"])
def test_appeal_outcome_record__the_bodys_decision_is_final_no_new_appeal_and_no_new_deadline(caseworker, outcome):
    application, _decision = _decided(caseworker, kind="housing_assistance")
    appeal = services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)
    services.appeal_reconsider(appeal=appeal, reverse=False, by=caseworker)
    services.appeal_outcome_record(appeal=appeal, outcome=outcome, decided=TODAY, by=caseworker)

    with pytest.raises(TransitionNotAllowed):
        services.appeal_register(application=application, received=TODAY, grounds="Eg er usamd.", by=caseworker)
    with pytest.raises(TransitionNotAllowed):
        services.decision_notified_correct(application=application, notified=TODAY, how="Telefon.", by=caseworker)
    assert Appeal.objects.filter(application=application).count() == 1


@pytest.mark.django_db
def test_appeal_outcome_record__refused_before_the_appeal_is_forwarded(caseworker):
    application, _decision = _decided(caseworker)
    appeal = services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)

    with pytest.raises(TransitionNotAllowed):
        services.appeal_outcome_record(appeal=appeal, outcome="upheld", decided=TODAY, by=caseworker)

    appeal.refresh_from_db()
    assert appeal.outcome == "pending"
    assert Application.objects.get().status == Status.APPEALED


@pytest.mark.django_db
def test_appeal_outcome_record__pending_is_not_an_outcome(caseworker):
    application, _decision = _decided(caseworker)
    appeal = services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)
    services.appeal_reconsider(appeal=appeal, reverse=False, by=caseworker)

    with pytest.raises(ValidationError):
        services.appeal_outcome_record(appeal=appeal, outcome="pending", decided=TODAY, by=caseworker)

    assert Application.objects.get().status == Status.APPEALED


# --- smaller services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_note_add__empty_note_refused(caseworker):
    application = register(caseworker)

    with pytest.raises(ValidationError):
        services.note_add(application=application, text="  \n", by=caseworker)

    services.note_add(application=application, text="  Ringde søkjar.  ", by=caseworker)
    assert list(application.notes.values_list("text", flat=True)) == ["Ringde søkjar."]


def _reassignments(application) -> list[str]:
    return [event.note_text for event in application.status_events.filter(to_status=F("from_status")).order_by("id")]


@pytest.mark.django_db
def test_application_assign__changes_caseworker_and_records_it_in_the_history_not_the_journal(caseworker, make_user):
    other = make_user("caseworker", first_name="Per", last_name="Hansen")
    application = register(caseworker)

    services.application_assign(application=application, caseworker=other, by=caseworker)

    application.refresh_from_db()
    assert application.assigned_to == other
    [moved] = _reassignments(application)
    assert "Per Hansen" in moved
    assert application.status_events.order_by("id").last().by == caseworker
    assert not application.notes.exists()  # the journal is the caseworkers' own notes


@pytest.mark.django_db
def test_application_assign__to_whoever_has_it_records_nothing(caseworker, make_user):
    other = make_user("caseworker", first_name="Per", last_name="Hansen")
    application = register(caseworker)
    services.application_assign(application=application, caseworker=other, by=caseworker)

    services.application_assign(application=application, caseworker=other, by=caseworker)

    assert len(_reassignments(application)) == 1
    services.application_assign(application=application, caseworker=caseworker, by=other)
    assert len(_reassignments(application)) == 2
    assert str(caseworker) in _reassignments(application)[-1]


# --- reads -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_preliminary_reply_overdue_on__agrees_with_the_due_date_around_month_ends():
    household = HouseholdFactory()
    first = dt.date(2026, 1, 1)
    Application.objects.bulk_create(
        Application(
            ref=f"S-2026-{n + 1:04d}",
            household=household,
            kind="municipal_housing",
            received=first + dt.timedelta(days=n),
        )
        for n in range(150)
    )
    received = dict(Application.objects.values_list("ref", "received"))

    for today in [
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 28),
        dt.date(2026, 3, 29),
        dt.date(2026, 3, 30),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 31),
    ]:
        expected = {ref for ref, day in received.items() if rules.preliminary_reply_due(day) < today}
        got = set(Application.objects.preliminary_reply_overdue_on(today).values_list("ref", flat=True))
        assert got == expected, today


@pytest.mark.django_db
def test_preliminary_reply_overdue_on__not_when_replied_decided_or_of_another_kind():
    overdue = ApplicationFactory(received=dt.date(2026, 9, 1))
    ApplicationFactory(received=dt.date(2026, 9, 1), preliminary_reply_sent=dt.date(2026, 9, 20))
    ApplicationFactory(received=dt.date(2026, 9, 1), kind="swap")
    ApplicationFactory(received=dt.date(2026, 9, 1), kind="renewal")
    decided = ApplicationFactory(received=dt.date(2026, 9, 1), status="decided")
    Decision.objects.create(
        application=decided, outcome="refused", decided=dt.date(2026, 9, 2), notified=dt.date(2026, 9, 2)
    )
    assistance = ApplicationFactory(received=dt.date(2026, 9, 1), kind="housing_assistance")
    ApplicationFactory(received=dt.date(2026, 9, 1), status="closed")  # withdrawn before a decision

    got = set(Application.objects.preliminary_reply_overdue_on(TODAY))

    assert got == {overdue, assistance}
    # The case page's flag is the same rule, case by case.
    pending = {case for case in Application.objects.all() if case.preliminary_reply_pending}
    assert pending == set(Application.objects.preliminary_reply_pending()) == {overdue, assistance}


@pytest.mark.django_db
def test_close_and_reopen__a_granted_household_leaves_the_waiting_list_and_comes_back(caseworker):
    from allocation.querysets import waiting_cases
    from tests.factories import DecisionFactory

    decision = DecisionFactory(decided=dt.date(2026, 10, 1), notified=dt.date(2026, 10, 2))
    application = decision.application
    assert application in waiting_cases(TODAY)

    services.application_transition(application=application, to_status=Status.CLOSED, by=caseworker, note="Flytta.")
    decision.refresh_from_db()
    assert decision.lapsed == TODAY  # withdrawn with its case
    assert application not in waiting_cases(TODAY)

    with pytest.raises(ValidationError):
        services.application_reopen(application=application, by=caseworker, note=" ")
    with pytest.raises(TransitionNotAllowed):  # only back to where it was
        services.application_transition(application=application, to_status=Status.ASSESSMENT, by=caseworker, note="x")
    services.application_reopen(application=application, by=caseworker, note="Flytta likevel ikkje.")

    application.refresh_from_db()
    decision.refresh_from_db()
    assert application.status == Status.DECIDED and decision.lapsed is None
    assert application in waiting_cases(TODAY)
    assert list(application.status_events.order_by("id").values_list("from_status", "to_status", "note"))[-2:] == [
        (Status.DECIDED, Status.CLOSED, "Flytta."),
        (Status.CLOSED, Status.DECIDED, "Flytta likevel ikkje."),
    ]


@pytest.mark.django_db
def test_reopen__a_lapse_recorded_before_the_closing_stays(caseworker):
    from tests.factories import DecisionFactory

    decision = DecisionFactory(decided=dt.date(2026, 6, 1), notified=dt.date(2026, 6, 2), lapsed=dt.date(2026, 9, 1))
    application = decision.application
    services.application_transition(application=application, to_status=Status.CLOSED, by=caseworker, note="Ferdig.")
    services.application_reopen(application=application, by=caseworker, note="Ny kontakt.")

    decision.refresh_from_db()
    assert decision.lapsed == dt.date(2026, 9, 1)


@pytest.mark.django_db
def test_close__refused_while_an_offer_to_the_case_is_open_and_the_offer_stays_as_it_was(caseworker):
    from allocation import services as allocation
    from allocation.models import Offer
    from tests.allocation.conftest import free_unit, waiting_case

    case = waiting_case()
    offer = allocation.offer_make(application=case, unit=free_unit(), offered=TODAY, by=None)

    with pytest.raises(TransitionNotAllowed) as refused:
        services.application_transition(application=case, to_status=Status.CLOSED, by=caseworker, note="Flytta.")

    assert offer.ref in " ".join(refused.value.messages)
    case.refresh_from_db()
    assert case.status == Status.DECIDED and case.decision.lapsed is None
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.OPEN

    allocation.offer_answer(offer=offer, answer="refused", answered=TODAY, reason="Har flytta.", by=caseworker)
    services.application_transition(application=case, to_status=Status.CLOSED, by=caseworker, note="Flytta.")
    case.refresh_from_db()
    assert case.status == Status.CLOSED


@pytest.mark.django_db
def test_application_register__a_second_open_application_of_the_same_kind_is_refused(caseworker):
    first = register(caseworker, national_id=fresh_id(dt.date(1984, 5, 6)))
    applicant = first.household.applicant

    with pytest.raises(ValidationError) as refused:
        register(caseworker, national_id=applicant.national_id)

    assert first.ref in " ".join(refused.value.messages)
    assert Application.objects.count() == 1
    other_kind = register(caseworker, national_id=applicant.national_id, kind="housing_assistance")
    assert other_kind.household == first.household


@pytest.mark.django_db
def test_application_register__a_returning_applicant_s_new_contact_details_are_kept(caseworker):
    first = make_ready(caseworker, national_id=fresh_id(dt.date(1984, 5, 6)))
    decide(first, caseworker, outcome="refused")
    applicant = first.household.applicant

    again = register(
        caseworker,
        national_id=applicant.national_id,
        given_name="Anna",
        family_name="Nytt-Etternamn",
        address="Nyvegen 3",
        postcode="5414",
        city="Stord",
        phone="98765432",
        preferred_language="nb",
    )

    applicant.refresh_from_db()
    assert again.household == first.household
    assert (applicant.address, applicant.postcode, applicant.phone, applicant.preferred_language) == (
        "Nyvegen 3",
        "5414",
        "98765432",
        "nb",
    )
    assert applicant.family_name != "Nytt-Etternamn"  # the identity stays as registered


@pytest.mark.django_db(transaction=True)
def test_application_register__the_same_person_registered_twice_at_once_gives_one_case(caseworker):
    from tests.allocation.conftest import run_together

    national_id = fresh_id(dt.date(1984, 5, 6))
    results = run_together(
        lambda: register(caseworker, national_id=national_id), lambda: register(caseworker, national_id=national_id)
    )

    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError)  # a message for the caseworker, not a database error
    assert Application.objects.count() == 1
