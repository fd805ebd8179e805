"""Case pages: who sees what (and the log of it), the happy path through the forms, bad input, and uploads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.forms import NationalIdField
from cases.models import (
    Application,
    Assessment,
    Attachment,
    CaseEvent,
    Decision,
    HealthAssessment,
    Household,
    JournalNote,
    Person,
    Status,
)
from stord_bolig.models import AccessLog, Letter
from tests.cases.conftest import OSLO, TODAY, assess, decide, fresh_id, invalid_national_id, make_ready, register
from tests.conftest import verified_client
from tests.factories import ApplicationFactory, HouseholdMemberFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_BYTES = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def url(name: str, application, *args) -> str:
    return reverse(f"cases:{name}", args=[application.ref, *args])


def nynorsk(message) -> str:
    """A message as the nynorsk UI shows it (whether or not the translations are compiled)."""
    with translation.override("nn"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def case(caseworker):
    application = register(caseworker, given_name="Kari", family_name="Synleg")
    assess(application, caseworker, urgency="B", health={"documented_health_need": True, "notes": "Treng heis."})
    return Application.objects.get(pk=application.pk)


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["case-detail", "assessment-edit", "case-decide"])
def test_case_pages__caseworker_can_open_them(caseworker_client, case, page):
    response = caseworker_client.get(url(page, case))

    assert response.status_code == 200
    assert case.ref in response.content.decode()


def test_case_list__caseworker_sees_the_open_cases(caseworker_client, case):
    response = caseworker_client.get(reverse("cases:case-list"))

    assert response.status_code == 200
    assert case.ref in response.content.decode()
    assert "Kari Synleg" in response.content.decode()


@pytest.mark.parametrize("role", ["nav_advisor", "financial_advisor", "management"])
def test_case_detail__other_roles_get_not_found_and_the_attempt_is_logged(client, make_user, case, role):
    user = make_user(role)

    response = verified_client(client, user).get(url("case-detail", case))

    assert response.status_code == 404
    assert "Synleg" not in response.content.decode()
    denied = AccessLog.objects.get(user_id=user.pk, action="denied")
    assert (denied.case_ref, denied.section) == (case.ref, "case")
    assert not AccessLog.objects.filter(user_id=user.pk, action="read").exists()


@pytest.mark.parametrize("page", ["case-detail", "assessment-edit", "case-decide"])
def test_case_pages__anonymous_is_sent_to_login(client, case, page):
    response = client.get(url(page, case))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not AccessLog.objects.filter(action="read").exists()


def test_case_detail__unknown_case_is_not_found_and_logged(caseworker_client, caseworker):
    response = caseworker_client.get(reverse("cases:case-detail", args=["S-2026-9999"]))

    assert response.status_code == 404
    assert AccessLog.objects.filter(action="denied", case_ref="S-2026-9999", user_id=caseworker.pk).exists()


def test_case_list__financial_advisor_without_referral_sees_no_cases(client, make_user, case):
    response = verified_client(client, make_user("financial_advisor")).get(reverse("cases:case-list"))

    assert response.status_code == 200
    assert case.ref not in response.content.decode()


def test_case_list__search_by_name_or_case_number(caseworker_client, caseworker, case):
    other = register(caseworker, given_name="Birger", family_name="Annan")

    by_name = caseworker_client.get(reverse("cases:case-list"), {"q": "kari syn"})
    by_ref = caseworker_client.get(reverse("cases:case-list"), {"q": other.ref})

    assert [row.ref for row in by_name.context["page"]] == [case.ref]
    assert [row.ref for row in by_ref.context["page"]] == [other.ref]


def test_case_list__closed_cases_only_when_asked_for(caseworker_client, caseworker, case):
    closed = register(caseworker)
    services.application_transition(application=closed, to_status=Status.CLOSED, by=caseworker, note="Trekt.")

    default = caseworker_client.get(reverse("cases:case-list"))
    asked = caseworker_client.get(reverse("cases:case-list"), {"status": "closed"})

    assert [row.ref for row in default.context["page"]] == [case.ref]
    assert [row.ref for row in asked.context["page"]] == [closed.ref]


def test_case_list__a_search_or_the_all_choice_finds_closed_cases_too(caseworker_client, caseworker, case):
    closed = register(caseworker, given_name="Gunnhild", family_name="Lid")
    services.application_transition(application=closed, to_status=Status.CLOSED, by=caseworker, note="Trekt.")
    url = reverse("cases:case-list")

    by_name = caseworker_client.get(url, {"q": "Gunnhild"})
    by_ref = caseworker_client.get(url, {"q": closed.ref})
    everything = caseworker_client.get(url, {"status": "all"})

    assert [row.ref for row in by_name.context["page"]] == [closed.ref]
    assert [row.ref for row in by_ref.context["page"]] == [closed.ref]
    assert {row.ref for row in everything.context["page"]} == {case.ref, closed.ref}


def test_case_list__overdue_filter_matches_the_due_date_the_case_shows(caseworker_client, _today):
    _today.move_to(dt.datetime(2026, 3, 30, 10, 0, tzinfo=OSLO))
    end_of_february = ApplicationFactory(received=dt.date(2026, 2, 28))  # due 28 March: overdue on 30 March
    first_of_march = ApplicationFactory(received=dt.date(2026, 3, 1))  # due 1 April

    response = caseworker_client.get(reverse("cases:case-list"), {"overdue": "on"})
    detail = caseworker_client.get(url("case-detail", end_of_february)).content.decode()

    assert [row.ref for row in response.context["page"]] == [end_of_february.ref]
    assert first_of_march.ref not in response.content.decode()
    assert "deadline-overdue" in detail


@pytest.mark.parametrize("role", ["nav_advisor", "management"])
def test_case_list__roles_without_case_access_are_refused(client, make_user, case, role):
    response = verified_client(client, make_user(role)).get(reverse("cases:case-list"))

    assert response.status_code == 403


def test_case_detail__assigned_caseworker_sees_health_and_the_read_is_logged_once(caseworker_client, caseworker, case):
    passing = caseworker_client.get(url("case-detail", case)).content.decode()
    # a look at the case does not open the health section: it is opened on purpose, and only then logged
    assert 'data-testid="health-open"' in passing and "Treng heis." not in passing
    assert not AccessLog.objects.filter(section="health").exists()

    response = caseworker_client.get(url("case-detail", case), {"health": "1"})

    html = response.content.decode()
    assert 'data-testid="health-section"' in html
    assert "Treng heis." in html
    health_reads = AccessLog.objects.filter(section="health")
    assert health_reads.count() == 1
    log = health_reads.get()
    assert (log.action, log.case_ref, log.user_id) == ("read", case.ref, caseworker.pk)
    assert AccessLog.objects.filter(section="case", action="read", case_ref=case.ref).count() == 2  # two looks


def test_case_detail__caseworker_not_assigned_does_not_see_health(client, make_user, case):
    colleague = make_user("caseworker")

    response = verified_client(client, colleague).get(url("case-detail", case), {"health": "1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="health-section"' not in html
    assert "Treng heis." not in html
    assert not AccessLog.objects.filter(section="health").exists()
    assert AccessLog.objects.filter(section="case", user_id=colleague.pk).exists()


def test_assessment_edit__caseworker_not_assigned_gets_no_health_form(client, make_user, case):
    response = verified_client(client, make_user("caseworker")).get(url("assessment-edit", case))

    assert response.context["health_form"] is None
    assert "Treng heis." not in response.content.decode()
    assert not AccessLog.objects.filter(section="health").exists()


def test_case_detail__housing_first_team_sees_only_its_own_cases(client, make_user, caseworker, case):
    housing_first = register(caseworker)
    assess(housing_first, caseworker, target_group="housing_first", health={"notes": "Rusfri sidan mai."})
    team_client = verified_client(client, make_user("housing_first"))

    own = team_client.get(url("case-detail", housing_first), {"health": "1"})
    other = team_client.get(url("case-detail", case))

    assert own.status_code == 200
    assert "Rusfri sidan mai." in own.content.decode()
    assert other.status_code == 404


# --- the happy path -------------------------------------------------------------------------------


def _register_post(**overrides) -> dict:
    data = {
        "kind": "municipal_housing",
        "received": "2026-11-20",
        "national_id": fresh_id(dt.date(1985, 2, 11)),
        "given_name": "Aslaug",
        "family_name": "Nyregistrert",
        "address": "Vabakkjen 3",
        "postcode": "5411",
        "city": "Stord",
        "preferred_language": "nn",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "12",
        "members-0-role": "partner",
        "members-0-national_id": fresh_id(dt.date(1984, 9, 30)),
        "members-0-given_name": "Torbjørn",
        "members-0-family_name": "Nyregistrert",
        "members-1-role": "child",
        "members-1-national_id": fresh_id(dt.date(2016, 4, 2)),
        "members-1-given_name": "Eli",
        "members-1-family_name": "Nyregistrert",
    }
    data.update(overrides)
    return data


def _assessment_post(**overrides) -> dict:
    data = {
        "housing_situation": "homeless_5",
        "housing_notes": "Bur på sofaen hos ein kamerat.",
        "main_reason": "other",
        "target_group": "ordinary",
        "monthly_income": "24000",
        "income_sources": "Arbeidsavklaringspengar",
        "debt": "",
        "rent_arrears": "",
        "savings": "",
        "followup_needs": "",
        "own_goals": "Ein stad der borna kan ha venner på besøk.",
        "recommendation": "municipal_housing",
        "recommendation_reason": "Treng kommunal bustad no.",
        "urgency": "B",
        "urgency_reason": "",
        "min_bedrooms_override": "",
        "min_bedrooms_reason": "",
        "health-mobility_needs": "",
        "health-notes": "",
    }
    data.update(overrides)
    return data


def _decision_post(**overrides) -> dict:
    data = {
        "outcome": "granted",
        "decided": TODAY.isoformat(),
        "notified": "",
        "legal_basis": "bustadsosiallova § 5",
        "facts": "Husstanden bur mellombels hos ein kamerat.",
        "assessment": "Husstanden fyller vilkåra.",
        "home_description": "Tre rom",
        "lease_years": "3",
        "conditions": "",
        "language": "nn",
    }
    data.update(overrides)
    return data


def test_case_flow__register_assess_ready_and_decide_through_the_pages(
    caseworker_client, caseworker, django_capture_on_commit_callbacks
):
    response = caseworker_client.post(reverse("cases:case-create"), _register_post())
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    assert [m.role for m in application.household.members.order_by("position")] == ["applicant", "partner", "child"]
    assert application.assigned_to == caseworker

    response = caseworker_client.post(url("assessment-edit", application), _assessment_post(complete="1"), follow=True)
    application.refresh_from_db()
    assert response.status_code == 200
    assert application.status == Status.READY
    assert (application.housing_situation, application.urgency, application.urgency_suggested) == (
        "homeless_5",
        "B",
        "B",
    )
    assert Assessment.objects.get().own_goals == "Ein stad der borna kan ha venner på besøk."

    with django_capture_on_commit_callbacks(execute=True):
        response = caseworker_client.post(url("case-decide", application), _decision_post())
    assert response["Location"] == application.get_absolute_url()
    response = caseworker_client.get(application.get_absolute_url())
    application.refresh_from_db()
    decision = Decision.objects.get()
    assert application.status == Status.DECIDED
    assert (decision.outcome, decision.decided, decision.notified, decision.decided_by) == (
        "granted",
        TODAY,
        TODAY,
        caseworker,
    )
    html = response.content.decode()
    assert 'data-testid="appeal-deadline">16.12.2026' in html
    letter = Letter.objects.get(case_ref=application.ref)
    assert letter.status == Letter.Status.RENDERED
    assert letter.get_absolute_url() in html
    assert list(application.status_events.order_by("id").values_list("to_status", flat=True)) == [
        "registered",
        "assessment",
        "ready",
        "decided",
    ]


def test_case_create__invalid_national_id_shows_the_error_and_creates_nothing(caseworker_client):
    response = caseworker_client.post(reverse("cases:case-create"), _register_post(national_id=invalid_national_id()))

    assert response.status_code == 200
    assert response.context["form"].errors["national_id"]
    assert nynorsk(NationalIdField.default_error_messages["checksum"]) in response.content.decode()
    assert (Person.objects.count(), Household.objects.count(), Application.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("1234567890", "length"),
        (invalid_national_id(), "checksum"),  # a real number with one digit mistyped
        ("01013050038", "date"),  # the check digits add up, for a birth date in 2030
        ("12345678901", "kind"),  # month 34: neither a fødselsnummer nor a D-nummer
    ],
)
def test_national_id_field__says_what_is_wrong_with_the_number(number, reason):
    from django import forms

    with translation.override("en"), pytest.raises(forms.ValidationError) as refused:
        NationalIdField().clean(number)
    assert refused.value.messages == [str(NationalIdField.default_error_messages[reason])]


def test_case_create__invalid_member_national_id_shows_the_error_and_creates_nothing(caseworker_client):
    response = caseworker_client.post(reverse("cases:case-create"), _register_post(**{"members-1-national_id": "123"}))

    assert response.status_code == 200
    assert response.context["members"].forms[1].errors["national_id"]
    assert (Person.objects.count(), Application.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("phone", "accepted"), [("abc", False), ("12", False), ("+47 955 50 123", True), ("95550123", True)]
)
def test_case_create__a_phone_number_is_digits(caseworker_client, phone, accepted):
    response = caseworker_client.post(reverse("cases:case-create"), _register_post(phone=phone))

    assert (response.status_code == 302) is accepted
    assert Application.objects.exists() is accepted
    if not accepted:
        assert "phone" in response.context["form"].errors


def test_case_create__future_received_date_shows_the_error_and_creates_nothing(caseworker_client):
    response = caseworker_client.post(reverse("cases:case-create"), _register_post(received="2026-11-26"))

    assert response.status_code == 200
    assert response.context["form"].errors["received"]
    assert Application.objects.count() == 0


def test_case_create__already_registered_member_shows_the_error_and_creates_nothing(caseworker_client):
    taken = HouseholdMemberFactory(role="child")
    before = (Person.objects.count(), Household.objects.count())

    response = caseworker_client.post(
        reverse("cases:case-create"), _register_post(**{"members-1-national_id": taken.person.national_id})
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert (Person.objects.count(), Household.objects.count(), Application.objects.count()) == (*before, 0)


def test_assessment_edit__band_changed_without_reason_shows_the_error_and_saves_nothing(caseworker_client, caseworker):
    application = register(caseworker)

    response = caseworker_client.post(url("assessment-edit", application), _assessment_post(urgency="A"))

    assert response.status_code == 200
    [error] = response.context["form"].errors["urgency_reason"]
    # the suggestion beside the band is the one the message speaks of: from what was entered, not what was saved
    suggested = response.context["form"]["urgency"].help_text  # as the page shows it
    assert suggested.endswith(": B") and error.endswith(" B.")
    assert f"{suggested}</div>" in response.content.decode()  # the page shows that suggestion, not the saved one
    application.refresh_from_db()
    assert (application.status, application.urgency) == (Status.REGISTERED, "C")
    assert not Assessment.objects.exists()
    assert not HealthAssessment.objects.exists()


def test_assessment_edit__complete_names_every_missing_piece_at_once(caseworker_client, caseworker):
    application = register(caseworker)

    response = caseworker_client.post(
        url("assessment-edit", application), _assessment_post(urgency="A", recommendation="", complete="1")
    )

    errors = response.context["form"].errors
    assert set(errors) == {"urgency_reason", "recommendation"}
    assert not Assessment.objects.exists()
    assert page_messages(response) == [nynorsk("Nothing was saved: correct the fields marked below.")]


def test_assessment_edit__complete_without_recommendation_saves_but_stays_in_assessment(caseworker_client, caseworker):
    application = register(caseworker)

    response = caseworker_client.post(
        url("assessment-edit", application), _assessment_post(recommendation="", complete="1")
    )

    application.refresh_from_db()
    assert application.status == Status.ASSESSMENT
    assert Assessment.objects.filter(application=application).exists()
    # The form stays open with the missing recommendation marked, and says the rest was saved.
    assert response.status_code == 200
    assert response.context["form"].errors["recommendation"] == [
        nynorsk("The assessment needs a recommendation before the case is ready for decision.")
    ]
    assert page_messages(response) == [
        nynorsk("The needs assessment is saved, but the case is not marked ready for decision: %(why)s")
        % {"why": nynorsk("The assessment needs a recommendation before the case is ready for decision.")}
    ]
    assert response.context["form"]["own_goals"].value() == _assessment_post()["own_goals"]


def test_assessment_edit__posted_case_fields_outside_the_form_change_nothing(caseworker_client, caseworker, make_user):
    other_user = make_user("caseworker")
    other_case = ApplicationFactory()
    application = register(caseworker)
    before = (application.ref, application.household_id, application.assigned_to_id)

    caseworker_client.post(
        url("assessment-edit", application),
        _assessment_post(
            status="decided",
            ref="S-2000-0001",
            assigned_to=str(other_user.pk),
            household=str(other_case.household_id),
            application=str(other_case.pk),
            urgency_suggested="A",
            completed_at="2026-01-01T00:00",
        ),
    )

    application.refresh_from_db()
    assert (application.ref, application.household_id, application.assigned_to_id) == before
    assert application.status == Status.ASSESSMENT  # the service's own move, not the posted one
    assert application.urgency_suggested == "B"
    assessment = Assessment.objects.get()
    assert assessment.application_id == application.pk
    assert assessment.completed_at is None
    assert not Assessment.objects.filter(application=other_case).exists()


def test_case_decide__posted_fields_outside_the_form_change_nothing(caseworker_client, caseworker, make_user):
    other_user = make_user("caseworker")
    other_case = ApplicationFactory(status="ready")
    application = make_ready(caseworker)
    before = (application.ref, application.household_id, application.assigned_to_id)

    caseworker_client.post(
        url("case-decide", application),
        _decision_post(
            status="closed",
            ref="S-2000-0001",
            assigned_to=str(other_user.pk),
            household=str(other_case.household_id),
            application=str(other_case.pk),
            decided_by=str(other_user.pk),
            lapsed="2026-11-24",
        ),
    )

    application.refresh_from_db()
    assert (application.ref, application.household_id, application.assigned_to_id) == before
    assert application.status == Status.DECIDED
    decision = Decision.objects.get()
    assert (decision.application_id, decision.decided_by, decision.lapsed) == (application.pk, caseworker, None)
    other_case.refresh_from_db()
    assert other_case.status == "ready"


def test_case_decide__decided_before_received_shows_the_error_and_decides_nothing(caseworker_client, caseworker):
    application = make_ready(caseworker, received=dt.date(2026, 10, 1))

    response = caseworker_client.post(url("case-decide", application), _decision_post(decided="2026-09-30"))

    assert response.status_code == 200
    assert response.context["form"].errors["decided"]
    assert not Decision.objects.exists()
    assert not Letter.objects.exists()


def test_case_decide__a_future_date_is_said_together_with_the_other_mistakes(caseworker_client, caseworker):
    application = make_ready(caseworker)

    response = caseworker_client.post(
        url("case-decide", application), _decision_post(decided="2026-12-20", assessment="", lease_years="0")
    )

    assert {"decided", "assessment", "lease_years"} <= set(response.context["form"].errors)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("years", ["0", "11"])
def test_case_decide__a_lease_of_no_years_or_of_more_than_ten_is_refused(caseworker_client, caseworker, years):
    application = make_ready(caseworker)

    response = caseworker_client.post(url("case-decide", application), _decision_post(lease_years=years))

    assert response.status_code == 200 and "lease_years" in response.context["form"].errors
    assert not Decision.objects.exists()


def test_case_decide__a_case_not_ready_is_not_decided(caseworker_client, caseworker):
    application = register(caseworker)

    response = caseworker_client.post(url("case-decide", application), _decision_post())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert response.content.decode().count("Berre ei sak som er klar for vedtak, kan avgjerast.") == 1  # shown once
    assert not Decision.objects.exists()


def test_case_transition__cannot_jump_to_decided_without_a_decision(caseworker_client, caseworker):
    application = make_ready(caseworker)

    response = caseworker_client.post(url("case-transition", application), {"to": "decided"}, follow=True)

    application.refresh_from_db()
    assert application.status == Status.READY
    assert not Decision.objects.exists()
    assert page_messages(response)


def test_case_transition__closing_needs_a_reason_and_without_one_changes_nothing(caseworker_client, caseworker):
    application = register(caseworker)

    response = caseworker_client.post(url("case-transition", application), {"to": "closed", "note": "  "}, follow=True)

    application.refresh_from_db()
    assert application.status == Status.REGISTERED
    assert nynorsk("Say why the case is closed (withdrawn, moved away, no contact …).") in page_messages(response)
    assert 'name="note" required' in caseworker_client.get(url("case-detail", application)).content.decode()


def test_case_transition__closing_a_case_is_recorded(caseworker_client, caseworker):
    application = register(caseworker)

    caseworker_client.post(url("case-transition", application), {"to": "closed", "note": "Trekt av søkjar."})

    application.refresh_from_db()
    assert application.status == Status.CLOSED
    event = CaseEvent.objects.filter(application=application).order_by("-id").first()
    assert (event.from_status, event.to_status, event.by, event.note) == (
        "registered",
        "closed",
        caseworker,
        "Trekt av søkjar.",
    )


def test_appeal_pages__register_and_forward_to_the_appeal_body(caseworker_client, caseworker):
    application = make_ready(caseworker, kind="housing_assistance")
    decide(application, caseworker, outcome="refused")

    caseworker_client.post(url("appeal-register", application), {"received": TODAY.isoformat(), "grounds": "Feil."})
    appeal = application.appeals.get()
    caseworker_client.post(url("appeal-handle", application, appeal.pk), {"action": "upheld"})
    appeal.refresh_from_db()
    assert appeal.outcome == "pending"  # the body cannot have decided an appeal it never got
    caseworker_client.post(url("appeal-handle", application, appeal.pk), {"action": "forward"})

    appeal.refresh_from_db()
    application.refresh_from_db()
    assert appeal.forwarded_to == "Statsforvaltaren i Vestland"
    assert application.status == Status.APPEALED


def test_decision_notified__a_letter_that_came_later_moves_the_appeal_deadline_and_the_history_says_so(
    caseworker_client, caseworker
):
    application = make_ready(caseworker, kind="housing_assistance")
    decide(application, caseworker, outcome="refused", decided=dt.date(2026, 10, 30))  # a Friday, notified then
    page = caseworker_client.get(url("case-detail", application))
    assert page.context["appeal_deadline"] == dt.date(2026, 11, 20)
    # an appeal that came on Monday 23.11 was late, counted from the letter date
    services.appeal_register(application=application, received=dt.date(2026, 11, 23), grounds="", by=caseworker)
    assert "fvl. § 31" in caseworker_client.get(url("case-detail", application)).content.decode()
    target = url("decision-notified", application)

    for bad, field in (
        ({"notified": "2026-10-29", "how": "Telefon."}, "notified"),  # before the decision
        ({"notified": "2026-11-26", "how": "Telefon."}, "notified"),  # in the future
        ({"notified": "2026-11-03", "how": "  "}, "how"),
        ({"notified": "03.11.2026x", "how": "Telefon."}, "notified"),
    ):
        response = caseworker_client.post(target, bad)
        assert response.status_code == 200 and field in response.context["form"].errors, bad
        assert response.context["form"]["how"].value() == bad["how"]  # what was typed is kept
        application.decision.refresh_from_db()
        assert application.decision.notified == dt.date(2026, 10, 30)

    both = caseworker_client.post(target, {"notified": "2026-10-29", "how": ""})
    assert set(both.context["form"].errors) == {"notified", "how"}  # every mistake at once, not one per try

    response = caseworker_client.post(target, {"notified": "2026-11-03", "how": "Søkjaren ringde: brevet kom i dag."})
    assert response.status_code == 302
    page = caseworker_client.get(url("case-detail", application), follow=True)
    assert page.context["appeal_deadline"] == dt.date(2026, 11, 24)  # the Tuesday three weeks later
    html = page.content.decode()
    assert "24.11.2026" in html and "fvl. § 31" not in html  # the appeal is no longer after the deadline
    with translation.override("en"):
        note = CaseEvent.objects.filter(application=application).order_by("-id").first().note_text
    assert note == (
        "The decision reached the party on 03.11.2026, not 30.10.2026: Søkjaren ringde: brevet kom i dag. "
        "The appeal deadline is now 24.11.2026."
    )


def test_case_page__after_the_appeal_body_reverses_no_deadline_no_appeal_button_and_not_the_old_grounds(
    caseworker_client, caseworker
):
    application = make_ready(caseworker, kind="housing_assistance")
    decide(application, caseworker, outcome="refused", assessment="Kontoret finn ikkje behov for hjelp.")
    appeal = services.appeal_register(application=application, received=TODAY, grounds="", by=caseworker)
    services.appeal_reconsider(appeal=appeal, reverse=False, by=caseworker)
    before = caseworker_client.get(url("case-detail", application)).content.decode()
    assert "Kontoret finn ikkje behov for hjelp." in before and 'data-testid="appeal-final"' not in before

    services.appeal_outcome_record(appeal=appeal, outcome="reversed", decided=TODAY, by=caseworker)

    with translation.override("en"):
        html = caseworker_client.get(url("case-detail", application), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="appeal-final"' in html and 'data-testid="appeal-deadline"' not in html
    assert url("appeal-register", application) not in html
    assert url("decision-notified", application) not in html
    assert 'data-testid="decision-by-body"' in html
    assert "Kontoret finn ikkje behov for hjelp." not in html  # the grounds of the refusal the body reversed


def test_worklist__an_appeal_to_reconsider_is_the_caseworkers_task_until_forwarded(caseworker_client, caseworker):
    application = make_ready(caseworker, kind="housing_assistance")
    decide(application, caseworker, outcome="refused")
    appeal = services.appeal_register(application=application, received=TODAY, grounds="Feil.", by=caseworker)

    def appeal_tasks():
        items = caseworker_client.get(reverse("worklist")).context["items"]
        return [(item.subject, item.due, item.action_url) for item in items if item.kind == "appeal_reconsider"]

    # due within the office's own three weeks (a policy parameter), done on the case page's appeals
    assert appeal_tasks() == [(application.ref, TODAY + dt.timedelta(days=21), f"/cases/{application.ref}/#appeals-h")]
    services.appeal_reconsider(appeal=appeal, reverse=False, by=caseworker)
    assert appeal_tasks() == []  # with the appeal body now


# --- constant query counts ------------------------------------------------------------------------


def _queries(client, path) -> int:
    client.get(path)  # warm the per-process caches (content types, session)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _cases_with_members(count: int, by) -> None:
    for n in range(count):
        application = ApplicationFactory(assigned_to=by, status=["registered", "assessment", "ready"][n % 3])
        HouseholdMemberFactory(household=application.household, role="partner")
        HouseholdMemberFactory(household=application.household, role="child")
        if n % 2:
            Decision.objects.create(application=application, outcome="granted", decided=TODAY, notified=TODAY)


def test_case_list__same_number_of_queries_for_3_and_30_cases(client, make_user):
    user = make_user("caseworker")
    logged_in = verified_client(client, user)
    _cases_with_members(3, user)
    few = _queries(logged_in, reverse("cases:case-list"))
    _cases_with_members(27, user)

    many = _queries(logged_in, reverse("cases:case-list"))

    assert Application.objects.count() == 30
    assert many == few


def test_my_cases__same_number_of_queries_for_3_and_30_cases(client, make_user):
    user = make_user("caseworker")
    logged_in = verified_client(client, user)
    _cases_with_members(3, user)
    few = _queries(logged_in, reverse("cases:my-cases"))
    _cases_with_members(27, user)

    assert _queries(logged_in, reverse("cases:my-cases")) == few


def _grow(application, by, count: int) -> None:
    for _ in range(count):
        HouseholdMemberFactory(household=application.household, role="child")
        JournalNote.objects.create(application=application, by=by, text="Telefon med søkjar.")
        Attachment.objects.create(
            application=application,
            file="attachments/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size_bytes=10,
            uploaded_by=by,
        )


def test_case_detail__same_number_of_queries_for_3_and_30_members_and_notes(caseworker_client, caseworker):
    application = register(caseworker)
    assess(application, caseworker, health={"notes": "Ingen."})
    _grow(application, caseworker, 2)
    few = _queries(caseworker_client, url("case-detail", application))
    _grow(application, caseworker, 27)

    many = _queries(caseworker_client, url("case-detail", application))

    assert application.household.members.count() == 30
    assert many == few


# --- attachments -----------------------------------------------------------------------------------


def _upload(client, application, name: str, content: bytes, content_type: str = "application/pdf"):
    return client.post(
        url("attachment-upload", application),
        {"file": SimpleUploadedFile(name, content, content_type=content_type), "description": "Legeerklæring"},
        follow=True,
    )


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_attachment_upload__a_real_pdf_is_stored_and_downloadable_through_the_view(
    caseworker_client, caseworker, case, settings
):
    response = _upload(caseworker_client, case, "legeerklaering.pdf", PDF_BYTES)

    attachment = Attachment.objects.get()
    assert response.status_code == 200
    assert (attachment.original_name, attachment.content_type, attachment.size_bytes) == (
        "legeerklaering.pdf",
        "application/pdf",
        len(PDF_BYTES),
    )
    assert attachment.uploaded_by == caseworker
    stored = _stored_files(settings)
    assert len(stored) == 1 and stored[0].read_bytes() == PDF_BYTES
    assert not str(stored[0]).startswith(str(settings.BASE_DIR / "static"))

    download = caseworker_client.get(url("attachment-download", case, attachment.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    log = AccessLog.objects.get(action="download")
    assert (log.case_ref, log.section, log.user_id) == (case.ref, "attachment", caseworker.pk)


def test_attachment_download__not_found_for_other_roles_and_through_another_case(
    caseworker_client, client, caseworker, make_user, case
):
    _upload(caseworker_client, case, "legeerklaering.pdf", PDF_BYTES)
    attachment = Attachment.objects.get()
    other_case = register(caseworker)

    through_other_case = caseworker_client.get(url("attachment-download", other_case, attachment.pk))
    nav = verified_client(client, make_user("nav_advisor")).get(url("attachment-download", case, attachment.pk))

    assert through_other_case.status_code == 404
    assert nav.status_code == 404
    assert AccessLog.objects.filter(action="denied", section="attachment", case_ref=case.ref).exists()
    assert not AccessLog.objects.filter(action="download").exists()


def test_attachment_upload__html_named_pdf_is_refused_and_nothing_stored(caseworker_client, case, settings):
    response = _upload(caseworker_client, case, "vedtak.pdf", HTML_BYTES)

    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []
    assert nynorsk("Only PDF, PNG, JPEG and Word (docx) documents can be added.") in page_messages(response)


def test_attachment_upload__file_over_the_size_limit_is_refused_and_nothing_stored(caseworker_client, case, settings):
    settings.ATTACHMENT_MAX_BYTES = len(PDF_BYTES) - 1

    response = _upload(caseworker_client, case, "stor.pdf", PDF_BYTES)

    assert not Attachment.objects.exists()
    assert _stored_files(settings) == []
    too_large = nynorsk("The file is too large (at most %(mb)d MB).").split("(")[0]
    assert [message for message in page_messages(response) if message.startswith(too_large)]


def test_attachment_upload__file_at_the_size_limit_is_accepted(caseworker_client, case, settings):
    settings.ATTACHMENT_MAX_BYTES = len(PDF_BYTES)

    _upload(caseworker_client, case, "akkurat.pdf", PDF_BYTES)

    assert Attachment.objects.count() == 1


def test_attachment_upload__type_follows_the_content_not_the_name(caseworker_client, case):
    _upload(caseworker_client, case, "bilete.pdf", PNG_BYTES, content_type="application/pdf")

    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == ("bilete.png", "image/png")


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("Søknad – kopi.pdf", "attachment; filename*=utf-8''S%C3%B8knad%20%E2%80%93%20kopi.pdf"),
        ('brev "kopi".pdf', 'attachment; filename="brev \\"kopi\\".pdf"'),
    ],
    ids=["non_latin1_dash", "quotes"],
)
def test_attachment_download__keeps_the_file_name_and_the_attachment_disposition(
    caseworker_client, case, name, disposition
):
    _upload(caseworker_client, case, name, PDF_BYTES)
    attachment = Attachment.objects.get()

    response = caseworker_client.get(url("attachment-download", case, attachment.pk))

    assert attachment.original_name == name
    assert response["Content-Disposition"] == disposition


def test_attachment_upload__not_allowed_for_roles_without_change_permission(client, make_user, case):
    response = verified_client(client, make_user("financial_advisor")).post(
        url("attachment-upload", case), {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    )

    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_note_add__saves_the_note_on_the_case(caseworker_client, case):
    caseworker_client.post(url("note-add", case), {"text": "Ringde søkjar om legeerklæring."})

    assert list(case.notes.values_list("text", flat=True)) == ["Ringde søkjar om legeerklæring."]


def test_preliminary_reply_page__records_the_reply_once(caseworker_client, case):
    post = {"reason": "Ventar på legeerklæring.", "expected": "2027-01-15"}

    caseworker_client.post(url("preliminary-reply", case), post)
    again = caseworker_client.post(url("preliminary-reply", case), post)

    case.refresh_from_db()
    assert case.preliminary_reply_sent == TODAY
    assert again.status_code == 200
    assert again.context["form"].non_field_errors()
    assert Letter.objects.filter(kind="preliminary_reply", case_ref=case.ref).count() == 1


def test_case_detail__the_preliminary_reply_deadline_goes_once_the_case_is_decided(caseworker_client, caseworker):
    application = make_ready(caseworker)
    undecided = caseworker_client.get(url("case-detail", application)).content.decode()
    decide(application, caseworker)

    decided = caseworker_client.get(url("case-detail", application)).content.decode()

    assert 'data-testid="preliminary-due"' in undecided
    assert reverse("cases:preliminary-reply", args=[application.ref]) in undecided
    assert 'data-testid="preliminary-due"' not in decided
    assert reverse("cases:preliminary-reply", args=[application.ref]) not in decided
    assert 'data-testid="appeal-deadline"' in decided


def test_case_detail__assigning_and_closing_sit_in_their_own_card_not_in_the_history(caseworker_client, case):
    page = caseworker_client.get(url("case-detail", case)).content.decode()

    handling = page[page.index('data-testid="case-handling"') : page.index('aria-labelledby="history-h"')]
    history = page[page.index('aria-labelledby="history-h"') :]
    assert reverse("cases:case-assign", args=[case.ref]) in handling
    assert reverse("cases:case-transition", args=[case.ref]) in handling
    assert reverse("cases:case-transition", args=[case.ref]) not in history


def test_case_detail__an_event_that_keeps_the_state_reads_as_its_note_not_as_a_move(caseworker_client, case):
    CaseEvent.objects.create(
        application=case, from_status=case.status, to_status=case.status, note="Tilbod O-00001 om Sjøvegen 1."
    )

    page = caseworker_client.get(url("case-detail", case)).content.decode()

    history = page[page.index('data-testid="history"') :].split("</ol>", 1)[0]
    assert "Tilbod O-00001 om Sjøvegen 1." in history
    label = str(Status(case.status).label)
    with translation.override("nn"):
        label = translation.gettext(label)
    assert f"{label} → {label}" not in history


def test_case_detail__deadlines_say_whether_they_were_kept(caseworker_client, caseworker):
    from django.utils.html import strip_tags

    from cases.models import Appeal
    from tests.factories import DecisionFactory

    def deadlines(application) -> str:
        html = caseworker_client.get(url("case-detail", application)).content.decode()
        card = html[html.index('id="deadlines-h"') : html.index('aria-labelledby="household-h"')]
        return " ".join(strip_tags(card).split())

    caseworker_client.cookies["django_language"] = "en"
    # notified on 25 November: three weeks to 16 December
    open_now = DecisionFactory(decided=TODAY, notified=TODAY).application
    # notified in September: the deadline has passed without an appeal
    passed = DecisionFactory(decided=dt.date(2026, 9, 1), notified=dt.date(2026, 9, 1)).application
    # an appeal that came after the deadline, and a preliminary reply sent later than it was due
    late = DecisionFactory(decided=dt.date(2026, 9, 1), notified=dt.date(2026, 9, 1)).application
    Appeal.objects.create(application=late, received=dt.date(2026, 10, 5), grounds="Eg fekk brevet seint.")
    Application.objects.filter(pk=late.pk).update(
        kind="municipal_housing", received=dt.date(2026, 6, 1), preliminary_reply_sent=dt.date(2026, 8, 10)
    )

    assert "Appeal deadline (fvl. § 29) 16.12.2026 (21 days left)" in deadlines(open_now)
    assert "(passed, no appeal)" in deadlines(passed)
    late_card = deadlines(late)
    assert "– appeal received 05.10.2026 (after the deadline: see fvl. § 31)" in late_card
    assert "sent 10.08.2026 (late)" in late_card
    assert "(late)" not in deadlines(passed) and "after the deadline" not in deadlines(open_now)


def test_case_detail__after_a_reversal_the_card_counts_appeals_against_the_new_decision_only(caseworker_client):
    from django.utils.html import strip_tags

    from cases.models import Appeal
    from tests.factories import DecisionFactory

    caseworker_client.cookies["django_language"] = "en"
    case = DecisionFactory(decided=TODAY, notified=TODAY).application  # the new decision, after a reversal
    Appeal.objects.create(application=case, received=dt.date(2026, 10, 5), outcome="reversed")

    html = caseworker_client.get(url("case-detail", case)).content.decode()
    card = " ".join(
        strip_tags(html[html.index('id="deadlines-h"') : html.index('aria-labelledby="household-h"')]).split()
    )
    assert "16.12.2026 (21 days left)" in card and "appeal received" not in card

    Appeal.objects.create(application=case, received=TODAY)
    html = caseworker_client.get(url("case-detail", case)).content.decode()
    assert "– appeal received 25.11.2026" in " ".join(strip_tags(html).split())


def test_case_create__posted_twice_gives_one_case_and_says_so(caseworker_client):
    caseworker_client.cookies["django_language"] = "en"
    data = _register_post()

    first = caseworker_client.post(reverse("cases:case-create"), data)
    again = caseworker_client.post(reverse("cases:case-create"), data)

    assert first.status_code == 302 and again.status_code == 200
    case = Application.objects.get()
    assert f"The household already has an open application of this kind ({case.ref})" in again.content.decode()
    assert again.context["form"]["given_name"].value() == "Aslaug"  # what was typed is still there


def test_case_create__a_returning_applicant_typed_with_another_name_is_told_which_name_is_kept(caseworker_client):
    caseworker_client.cookies["django_language"] = "en"
    data = _register_post(**{"members-TOTAL_FORMS": "0"})
    caseworker_client.post(reverse("cases:case-create"), data)

    response = caseworker_client.post(
        reverse("cases:case-create"),
        {**data, "kind": "housing_assistance", "family_name": "Nygift", "address": "Nyvegen 1"},
        follow=True,
    )

    text = " ".join(response.content.decode().split())
    assert (
        "is the person already registered as Aslaug Nyregistrert: the name typed (Aslaug Nygift) was not used" in text
    )
    assert Person.objects.get(given_name="Aslaug").address == "Nyvegen 1"


def test_case_detail__an_applicant_without_a_postal_address_is_pointed_out_before_a_letter_goes(
    caseworker_client, caseworker
):
    caseworker_client.cookies["django_language"] = "en"
    homeless = register(caseworker, address="", postcode="", city="")
    housed = register(caseworker)

    page = caseworker_client.get(url("case-detail", homeless)).content.decode()

    applicant = homeless.household.applicant
    assert 'data-testid="no-address"' in page and f"{applicant} has no postal address" in " ".join(page.split())
    assert reverse("cases:person-edit", args=[homeless.ref, applicant.ref]) in page
    assert 'data-testid="no-address"' not in caseworker_client.get(url("case-detail", housed)).content.decode()


def test_case_detail__links_the_case_s_offers_and_leases(caseworker_client, caseworker, client, make_user):
    from allocation import services as allocation
    from finance_advice import services as finance
    from tests.allocation.conftest import free_unit, waiting_case
    from tests.factories import LeaseFactory

    case = waiting_case(assigned_to=caseworker)
    offer = allocation.offer_make(application=case, unit=free_unit(address="Sjøvegen 1"), offered=TODAY, by=None)
    lease = LeaseFactory(
        application=case, household=case.household, start=dt.date(2020, 1, 1), end=dt.date(2022, 12, 31)
    )

    html = caseworker_client.get(url("case-detail", case)).content.decode()
    links = html[html.index('data-testid="case-links"') :].split("</ul>", 1)[0]

    assert reverse("allocation:offer-answer", args=[offer.ref]) in links and "Sjøvegen 1" in links
    assert lease.get_absolute_url() in links
    advisor = verified_client(client, make_user("financial_advisor"))
    finance.referral_create(household=case.household, source="case", reason="Gjeld.", application=case, by=caseworker)
    advisor_page = advisor.get(url("case-detail", case))
    advisor_html = advisor_page.content.decode()
    assert advisor_page.status_code == 200 and lease.ref in advisor_html
    assert lease.get_absolute_url() not in advisor_html  # named, not linked: the advisor may not open a lease


def test_assessment_edit__a_first_assessment_has_the_housing_situation_and_main_reason_chosen(
    caseworker_client, caseworker
):
    application = register(caseworker)
    form = caseworker_client.get(url("assessment-edit", application)).context["form"]
    assert (form["housing_situation"].value(), form["main_reason"].value()) == ("", "")

    response = caseworker_client.post(
        url("assessment-edit", application), _assessment_post(housing_situation="", main_reason="")
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"housing_situation", "main_reason"}
    assert not Assessment.objects.exists()


def test_case_create__a_bad_postcode_is_named_as_such(caseworker_client):
    response = caseworker_client.post(reverse("cases:case-create"), _register_post(postcode="54111"))

    assert response.status_code == 200
    assert response.context["form"].errors["postcode"] == ["Eit norsk postnummer har fire siffer."]
    assert not Application.objects.exists()


def test_admin__the_urgency_band_and_what_ranks_a_case_cannot_be_changed_there(client, make_user, caseworker):
    application = make_ready(caseworker)
    admin = make_user(None, username="sysowner", is_superuser=True, is_staff=True)
    admin_client = verified_client(client, admin)
    url_ = reverse("admin:cases_application_change", args=[application.pk])
    page = admin_client.get(url_).content.decode()
    assert 'name="urgency"' not in page and 'name="received"' not in page  # shown, not a field

    admin_client.post(url_, {"urgency": "A", "received": "2020-01-01", "assigned_to": caseworker.pk})

    application.refresh_from_db()
    assert (application.urgency, application.received) == ("C", dt.date(2026, 10, 1))
