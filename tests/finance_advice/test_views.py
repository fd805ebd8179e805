"""Financial advice through the pages: the caseworker refers, the advisor accepts, budgets, registers and decides a
startlån, and the caseworker follows the status; the work list brings new referrals to the advisors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from finance_advice import services
from finance_advice.models import Budget, Referral, ReferralStatus, StartlanApplication
from stord_bolig.models import Letter
from stord_bolig.templatetags.stord import kr
from tests.factories import HouseholdFactory, PersonFactory
from tests.finance_advice.conftest import TODAY, case_for, lease_in_arrears, login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

BUDGET = {
    "net_income": "30000",
    "consumer_debt": "0",
    "student_loan": "1500",
    "childcare": "0",
    "child_support": "0",
    "other_fixed": "0",
    "other_housing": "0",
    "term_years": "30",
}
STARTLAN = {
    "received": TODAY.isoformat(),
    "purpose": "buy",
    "price": "2600000",
    "loan_applied": "2400000",
    "grant_applied": "100000",
    "children_in_household": "on",
}
DECISION = {
    "outcome": "granted",
    "loan_granted": "2300000",
    "grant_granted": "100000",
    "term_years": "30",
    "instalment_free_years": "2",
    "reasons": "Budsjettet viser at husstanden kan betene lånet.",
    "language": "nn",
}


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def act_url(referral) -> str:
    return reverse("finance_advice:referral-act", args=[referral.ref])


def detail_url(referral) -> str:
    return reverse("finance_advice:referral-detail", args=[referral.ref])


def status_text(status: str) -> str:
    with translation.override("nn"):
        return str(ReferralStatus(status).label)


@pytest.fixture
def referral(caseworker):
    """A new referral from Kari's case; the household is one adult of 35."""
    application = case_for(
        caseworker, household=HouseholdFactory(applicant=PersonFactory(birth_date=dt.date(1991, 3, 14)))
    )
    return services.referral_create(
        household=application.household,
        source=Referral.Source.CASE,
        reason="Treng hjelp med budsjett og gjeld.",
        application=application,
        by=caseworker,
    )


# --- the caseworker refers -----------------------------------------------------------------------------------


def test_referral_from_case__the_caseworker_refers_from_the_case_page(caseworker, django_capture_on_commit_callbacks):
    application = case_for(caseworker)
    client = login(caseworker)
    refer_url = reverse("finance_advice:referral-from-case", args=[application.ref])
    assert refer_url in client.get(application.get_absolute_url()).content.decode()
    assert client.get(refer_url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(refer_url, {"reason": "Forbrukslån og husleige går ikkje i hop."}, follow=True)

    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == application.get_absolute_url()
    assert (referral.source, referral.application, referral.created_by, referral.status) == (
        "case",
        application,
        caseworker,
        "new",
    )
    assert referral.reason == "Forbrukslån og husleige går ikkje i hop."
    assert [level for level, _text in messages_of(response)] == ["success"]
    assert referral.ref in messages_of(response)[0][1]
    assert Letter.objects.get(case_ref=referral.ref).status == Letter.Status.RENDERED


def test_referral_from_case__without_a_reason_the_form_comes_back(caseworker):
    application = case_for(caseworker)

    response = login(caseworker).post(
        reverse("finance_advice:referral-from-case", args=[application.ref]), {"reason": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Referral.objects.exists()


def test_referral_from_lease__the_caseworker_refers_the_arrears(caseworker):
    lease = lease_in_arrears(caseworker, arrears=[(dt.date(2026, 10, 31), 18_000)])
    client = login(caseworker)
    assert 'data-testid="refer-arrears"' in client.get(lease.get_absolute_url()).content.decode()

    response = client.post(reverse("finance_advice:referral-from-lease", args=[lease.ref]), follow=True)

    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == lease.get_absolute_url()
    assert [level for level, _text in messages_of(response)] == ["success"]
    assert (referral.source, referral.lease, referral.created_by) == ("arrears", lease, caseworker)
    assert "kr 18 000" in referral.reason.replace("\xa0", " ")
    lease.refresh_from_db()
    assert lease.financial_advice_referral == TODAY


def test_referral_from_lease__a_second_click_is_refused_with_a_message(caseworker):
    lease = lease_in_arrears(caseworker)
    client = login(caseworker)
    url = reverse("finance_advice:referral-from-lease", args=[lease.ref])
    client.post(url, follow=True)

    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert [level for level, _text in messages_of(response)] == ["error"]
    assert Referral.objects.filter(lease=lease).count() == 1


def test_referral_from_lease__only_by_post(caseworker):
    lease = lease_in_arrears(caseworker)
    response = login(caseworker).get(reverse("finance_advice:referral-from-lease", args=[lease.ref]))
    assert response.status_code == 405
    assert not Referral.objects.exists()


# --- the advisor works the referral --------------------------------------------------------------------------


def test_referral_detail__offers_the_advisor_only_the_allowed_moves(advisor, referral):
    html = login(advisor).get(detail_url(referral)).content.decode()

    assert 'value="accepted"' in html
    assert 'value="declined"' in html
    assert 'value="closed"' not in html
    assert 'value="budget_made"' not in html


def test_referral_act__advisor_accepts_budgets_and_registers_a_startlan(advisor, referral):
    client = login(advisor)

    response = client.post(act_url(referral), {"form": "transition", "to_status": "accepted"}, follow=True)
    referral.refresh_from_db()
    assert response.redirect_chain[-1][0] == detail_url(referral)
    assert (referral.status, referral.advisor) == ("accepted", advisor)
    assert 'name="form" value="budget"' in response.content.decode()  # the budget form is offered now

    response = client.post(act_url(referral), {"form": "budget", **BUDGET}, follow=True)
    budget = Budget.objects.get(referral=referral)
    referral.refresh_from_db()
    assert referral.status == "budget_made"
    # a single adult: SIFO 7 100 + 2 700 household of one; 18 700 a month carries about 2 958 542 kr at 6.5 %
    assert (budget.net_income, budget.student_loan, budget.living_applied, budget.made_by) == (
        30_000,
        1_500,
        9_800,
        advisor,
    )
    assert budget.carryable_loan == pytest.approx(2_958_542, abs=1)
    html = response.content.decode()
    assert 'data-testid="budget"' in html
    assert f"<strong>{kr(budget.carryable_loan)}</strong>" in html  # "kr 2 958 542"

    response = client.post(act_url(referral), {"form": "startlan", **STARTLAN}, follow=True)
    application = StartlanApplication.objects.get()
    assert response.redirect_chain[-1][0] == reverse("finance_advice:startlan-detail", args=[application.ref])
    assert (application.referral, application.household, application.loan_applied) == (
        referral,
        referral.household,
        2_400_000,
    )
    assert application.children_in_household is True


def test_referral_page__a_new_budget_starts_from_the_assessment_then_from_the_last_budget(advisor, referral):
    from cases.models import Assessment

    client = login(advisor)
    client.post(act_url(referral), {"form": "transition", "to_status": "accepted"})
    assert client.get(detail_url(referral)).context["budget_form"]["net_income"].value() is None
    Assessment.objects.create(application=referral.application, monthly_income=27_400)
    assert client.get(detail_url(referral)).context["budget_form"]["net_income"].value() == 27_400

    client.post(act_url(referral), {"form": "budget", **BUDGET})
    form = client.get(detail_url(referral)).context["budget_form"]
    assert (form["net_income"].value(), form["student_loan"].value()) == (30_000, 1_500)  # the budget just made


def test_startlan_detail__advisor_decides_and_the_letter_is_listed(
    advisor, referral, django_capture_on_commit_callbacks
):
    application = services.startlan_register(
        household=referral.household,
        referral=referral,
        data={
            "received": TODAY,
            "purpose": "buy",
            "price": 2_600_000,
            "loan_applied": 2_400_000,
            "grant_applied": 100_000,
        },
        by=advisor,
    )
    url = reverse("finance_advice:startlan-detail", args=[application.ref])
    client = login(advisor)
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, DECISION)
    assert response.url == url

    application.refresh_from_db()
    assert (application.outcome, application.loan_granted, application.term_years) == ("granted", 2_300_000, 30)
    assert (application.instalment_free_years, application.decided, application.decided_by) == (2, TODAY, advisor)
    html = client.get(url).content.decode()
    assert 'data-testid="startlan-outcome"' in html
    assert "kr\u00a02\u00a0300\u00a0000" in html
    letter = Letter.objects.get(case_ref=application.ref)
    assert letter.get_absolute_url() in html


@pytest.mark.parametrize(
    "change",
    [
        {"term_years": "51"},
        {"instalment_free_years": "9"},
        {"term_years": "2", "instalment_free_years": "2"},
        {"loan_granted": ""},
        {"reasons": ""},
    ],
    ids=["term-51", "9-free-years", "free-equals-term", "no-amount", "no-reasons"],
)
def test_startlan_detail__a_decision_outside_the_limits_shows_the_form_again(advisor, referral, change):
    application = services.startlan_register(
        household=referral.household,
        referral=referral,
        data={
            "received": TODAY,
            "purpose": "buy",
            "price": 2_600_000,
            "loan_applied": 2_400_000,
            "grant_applied": 100_000,
        },
        by=advisor,
    )

    response = login(advisor).post(
        reverse("finance_advice:startlan-detail", args=[application.ref]), {**DECISION, **change}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    application.refresh_from_db()
    assert application.outcome == ""
    assert not Letter.objects.filter(case_ref=application.ref).exists()


def test_referral_act__an_illegal_move_is_refused_with_a_message(advisor, referral):
    response = login(advisor).post(act_url(referral), {"form": "transition", "to_status": "closed"}, follow=True)

    assert [level for level, _text in messages_of(response)] == ["error"]
    referral.refresh_from_db()
    assert referral.status == "new"


def test_referral_act__declining_without_a_reason_is_refused(advisor, referral):
    client = login(advisor)
    response = client.post(act_url(referral), {"form": "transition", "to_status": "declined", "note": ""}, follow=True)
    assert [level for level, _text in messages_of(response)] == ["error"]
    referral.refresh_from_db()
    assert referral.status == "new"

    client.post(act_url(referral), {"form": "transition", "to_status": "declined", "note": "Har rådgjevar i NAV."})
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "Har rådgjevar i NAV.")


def test_referral_act__a_budget_before_acceptance_is_refused(advisor, referral):
    response = login(advisor).post(act_url(referral), {"form": "budget", **BUDGET}, follow=True)

    assert [level for level, _text in messages_of(response)] == ["error"]
    assert not Budget.objects.exists()


def test_referral_act__a_startlan_loan_above_the_price_is_refused_and_what_was_typed_is_kept(advisor, referral):
    response = login(advisor).post(act_url(referral), {"form": "startlan", **STARTLAN, "loan_applied": "2600001"})

    assert response.status_code == 200  # the page again, the form open as it was filled in
    assert [level for level, _text in messages_of(response)] == ["error"]
    form = response.context["startlan_form"]
    assert (form["price"].value(), form["loan_applied"].value()) == ("2600000", "2600001")
    assert "<details open><summary>" in response.content.decode()
    assert not StartlanApplication.objects.exists()


def test_referral_act__an_unknown_form_is_not_found(advisor, referral):
    assert login(advisor).post(act_url(referral), {"form": "delete"}).status_code == 404


# --- the caseworker follows the status -----------------------------------------------------------------------


def test_referral_detail__the_caseworker_sees_the_status_the_advisor_set(caseworker, advisor, referral):
    client = login(advisor)
    client.post(act_url(referral), {"form": "transition", "to_status": "accepted"})
    client.post(act_url(referral), {"form": "budget", **BUDGET})

    response = login(caseworker).get(detail_url(referral))

    assert response.status_code == 200
    html = response.content.decode()
    badge = html.split('data-testid="referral-status">', 1)[1].split("<", 1)[0]
    assert badge == status_text("budget_made")
    history = html.split('data-testid="referral-history">', 1)[1].split("</ol>", 1)[0]
    assert f"{status_text('new')} → {status_text('accepted')}" in history  # in words, not codes
    assert f"{status_text('accepted')} → {status_text('budget_made')}" in history
    assert "budget_made" not in history
    assert 'data-testid="budget"' in html
    assert 'data-testid="transition-submit"' not in html  # the caseworker follows; the advisor acts


# --- the work list -------------------------------------------------------------------------------------------


def worklist_rows(client, kind: str) -> list[str]:
    html = client.get(reverse("worklist")).content.decode()
    return [row for row in html.split("<tr")[1:] if f'data-kind="{kind}"' in row]


def test_worklist__new_referrals_reach_every_advisor(advisor, make_user, caseworker, referral):
    other_advisor = make_user("financial_advisor")

    for user in (advisor, other_advisor):
        rows = worklist_rows(login(user), "referral_new")
        assert len(rows) == 1
        assert referral.ref in rows[0]
        assert detail_url(referral) in rows[0]

    assert worklist_rows(login(caseworker), "referral_new") == []


def test_worklist__an_accepted_referral_leaves_the_queue_and_follows_its_advisor(advisor, make_user, referral):
    other_advisor = make_user("financial_advisor")
    login(advisor).post(act_url(referral), {"form": "transition", "to_status": "accepted"})

    client = login(advisor)
    assert worklist_rows(client, "referral_new") == []
    follow = worklist_rows(client, "referral_follow")
    assert len(follow) == 1 and referral.ref in follow[0]
    assert worklist_rows(login(other_advisor), "referral_new") == []
    assert worklist_rows(login(other_advisor), "referral_follow") == []


@pytest.mark.django_db
def test_referral_list__query_count_does_not_grow_with_the_referrals(client, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance_advice.services import referral_create
    from tests.conftest import verified_client
    from tests.factories import HouseholdFactory

    advisor = make_user("financial_advisor")
    caseworker = make_user("caseworker")
    browser = verified_client(client, advisor)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(reverse("finance_advice:referral-list")).status_code == 200
        return len(queries)

    referral_create(household=HouseholdFactory(), source="intake", reason="Gjeld.", by=caseworker)
    few = count()
    for _ in range(6):
        referral_create(household=HouseholdFactory(), source="intake", reason="Gjeld.", by=caseworker)
    assert count() == few


def test_referral_detail__the_advisor_sees_the_lease_named_but_not_linked_as_she_may_not_open_it(caseworker, advisor):
    lease = lease_in_arrears(caseworker)
    referral = services.referral_from_arrears(lease=lease, by=caseworker)
    advisor_client = login(advisor)

    html = advisor_client.get(detail_url(referral)).content.decode()

    assert lease.ref in html and lease.get_absolute_url() not in html
    assert advisor_client.get(lease.get_absolute_url()).status_code in (403, 404)
    assert lease.get_absolute_url() in login(caseworker).get(detail_url(referral)).content.decode()


# --- the advisor's own intake --------------------------------------------------------------------------------


def _intake(**overrides) -> dict:
    from stord_bolig.demo.identity import synthetic_national_id

    return {
        "national_id": synthetic_national_id(dt.date(1988, 6, 2), 41),
        "given_name": "Sigrid",
        "family_name": "Rådsøkjar",
        "phone": "41234567",
        "address": "Kyrkjevegen 2",
        "postcode": "5411",
        "city": "Stord",
        "preferred_language": "nn",
        "reason": "Inkasso på to forbrukslån; vil ha hjelp til ein plan.",
        **overrides,
    }


def test_referral_intake__the_advisor_registers_someone_who_came_directly(advisor, caseworker):
    client = login(advisor)
    intake_url = reverse("finance_advice:referral-intake")
    assert intake_url in client.get(reverse("finance_advice:referral-list")).content.decode()
    assert login(caseworker).get(intake_url).status_code == 403  # the advisors' own door

    response = client.post(intake_url, _intake())

    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == referral.get_absolute_url()
    assert (referral.source, referral.status, referral.application) == ("intake", "new", None)
    applicant = referral.household.applicant
    assert (applicant.full_name, applicant.phone, applicant.postcode) == ("Sigrid Rådsøkjar", "41234567", "5411")
    assert client.get(referral.get_absolute_url()).status_code == 200

    again = client.post(intake_url, _intake(reason="Ny time."))
    assert again.status_code == 200  # one open referral per household: continue that one
    assert again.context["form"].non_field_errors() == [
        f"Husstanden har alt ei open tilvising ({referral.ref}): hald fram med den."
    ]
    assert Referral.objects.count() == 1


def test_referral_intake__a_person_already_registered_comes_with_their_household(advisor, caseworker):
    application = case_for(caseworker)
    person = application.household.applicant

    login(advisor).post(
        reverse("finance_advice:referral-intake"),
        _intake(national_id=person.national_id, given_name="Anna", family_name="Annanamn"),
    )

    referral = Referral.objects.get()
    assert referral.household == application.household and referral.household.applicant == person


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "national_id",
            "12345678901",
            "Dette er ikkje eit fødselsnummer eller D-nummer (eit H-nummer eller eit testnummer?).",
        ),
        ("reason", "", "Feltet er påkravd."),
        ("postcode", "541", "Eit norsk postnummer har fire siffer."),
    ],
)
def test_referral_intake__bad_input_is_named_and_nothing_is_registered(advisor, field, value, message):
    response = login(advisor).post(reverse("finance_advice:referral-intake"), _intake(**{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert response.context["form"]["given_name"].value() == "Sigrid"  # what was typed is kept
    assert not Referral.objects.exists()
