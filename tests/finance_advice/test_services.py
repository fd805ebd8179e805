"""Writes in financial advice (finance_advice/services.py): referrals and their loop, budgets, startlån, consents.

Budgets are checked against the SIFO seed table of migration finance_advice/0002 and the shipped defaults of
stord_bolig/params.py (guideline rates adult 7 250 / child 3 800 kr, policy rate 4.0 %, so 6.5 % stressed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.models import HouseholdMember
from finance_advice import rules, services
from finance_advice.models import Budget, Consent, Referral, ReferralStatus, ReferralStatusEvent, StartlanApplication
from stord_bolig.models import Letter, PolicyParameter
from tenancies.models import Reminder
from tenancies.services import reminder_sweep
from tests.factories import HouseholdFactory, HouseholdMemberFactory, PersonFactory
from tests.finance_advice.conftest import DAY, TODAY, case_for, lease_in_arrears, letter_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

LOOP = ["accepted", "budget_made", "negotiating", "debt_settlement", "outcome", "closed"]


def refer(caseworker, application=None, reason: str = "Treng hjelp med eit budsjett.") -> Referral:
    application = application or case_for(caseworker)
    return services.referral_create(
        household=application.household,
        source=Referral.Source.CASE,
        reason=reason,
        application=application,
        by=caseworker,
    )


def accepted(caseworker, advisor, application=None) -> Referral:
    referral = refer(caseworker, application)
    return services.referral_transition(referral=referral, to_status=ReferralStatus.ACCEPTED, by=advisor)


def household_aged(*members: tuple[str, dt.date]):
    """A household whose first member is the applicant: (role, birth date) each."""
    (_role, applicant_born), *others = members
    household = HouseholdFactory(applicant=PersonFactory(birth_date=applicant_born))
    for position, (role, born) in enumerate(others, start=1):
        HouseholdMemberFactory(household=household, role=role, position=position, person__birth_date=born)
    return household


def decide(application, advisor, **overrides) -> StartlanApplication:
    values = {
        "outcome": "granted",
        "loan_granted": 2_400_000,
        "grant_granted": None,
        "term_years": 30,
        "instalment_free_years": 0,
        "reasons": "Husstanden kan betene lånet med god margin.",
    }
    values.update(overrides)
    return services.startlan_decide(application=application, by=advisor, **values)


def startlan(household, advisor, **data) -> StartlanApplication:
    values = {"received": TODAY, "purpose": "buy", "price": 3_000_000, "loan_applied": 2_400_000}
    values.update(data)
    return services.startlan_register(household=household, referral=None, data=values, by=advisor)


# --- referral_create ---------------------------------------------------------------------------------------


def test_referral_create__from_a_case_starts_new_with_its_first_history_line(caseworker):
    application = case_for(caseworker)
    referral = refer(caseworker, application, reason="  Husleiga og forbrukslån går ikkje i hop.  ")

    assert (referral.status, referral.source, referral.application, referral.created_by) == (
        "new",
        "case",
        application,
        caseworker,
    )
    assert referral.reason == "Husleiga og forbrukslån går ikkje i hop."
    assert referral.ref.startswith("F-")
    assert list(referral.status_events.values_list("from_status", "to_status", "by")) == [("", "new", caseworker.pk)]


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_referral_create__needs_a_reason(caseworker, reason):
    application = case_for(caseworker)
    with pytest.raises(ValidationError) as caught:
        refer(caseworker, application, reason=reason)
    assert "reason" in caught.value.message_dict
    assert not Referral.objects.exists()
    assert not Letter.objects.exists()


def test_referral_create__writes_a_confirmation_letter_to_the_household(caseworker, django_capture_on_commit_callbacks):
    application = case_for(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(caseworker, application, reason="Gjeld til inkasso, treng oversikt.")

    letter = Letter.objects.get(case_ref=referral.ref)
    assert letter.kind == "referral"
    text = letter_text(letter)
    assert "økonomisk rådgjeving" in text
    assert referral.ref in text
    assert "Gjeld til inkasso, treng oversikt." in text


def test_referral_create__from_a_lease_records_the_referral_date_on_the_lease(caseworker):
    lease = lease_in_arrears(caseworker)
    assert lease.financial_advice_referral is None

    referral = services.referral_create(
        household=lease.household,
        source=Referral.Source.ARREARS,
        reason="Husleigerestanse.",
        lease=lease,
        by=caseworker,
    )

    lease.refresh_from_db()
    assert lease.financial_advice_referral == TODAY
    assert referral.lease == lease


def test_referral_create__a_second_open_referral_from_the_same_case_is_refused_until_the_first_is_closed(
    caseworker, colleague
):
    case = case_for(caseworker)
    first = services.referral_create(
        household=case.household, source=Referral.Source.CASE, reason="Gjeld.", application=case, by=caseworker
    )

    with pytest.raises(ValidationError) as refused:
        services.referral_create(
            household=case.household, source=Referral.Source.CASE, reason="Gjeld.", application=case, by=colleague
        )

    assert "already has an open referral" in " ".join(refused.value.messages)
    assert list(Referral.objects.all()) == [first]
    Referral.objects.filter(pk=first.pk).update(status="closed")
    again = services.referral_create(
        household=case.household, source=Referral.Source.CASE, reason="Ny gjeld.", application=case, by=caseworker
    )
    assert again.pk != first.pk


def test_referral_create__a_second_open_referral_for_the_same_lease_is_refused(caseworker, colleague):
    lease = lease_in_arrears(caseworker)
    first = services.referral_create(
        household=lease.household, source=Referral.Source.ARREARS, reason="Restanse.", lease=lease, by=caseworker
    )

    with pytest.raises(ValidationError):
        services.referral_create(
            household=lease.household,
            source=Referral.Source.ARREARS,
            reason="Restanse igjen.",
            lease=lease,
            by=colleague,
        )

    # Refused cleanly: the first is untouched and the database is still usable in the same transaction.
    assert list(Referral.objects.filter(lease=lease)) == [first]
    assert Letter.objects.filter(kind="referral").count() == 1


def test_referral_create__a_lease_can_be_referred_again_once_the_referral_is_closed(caseworker, advisor):
    lease = lease_in_arrears(caseworker)
    first = services.referral_create(
        household=lease.household, source=Referral.Source.ARREARS, reason="Restanse.", lease=lease, by=caseworker
    )
    services.referral_transition(referral=first, to_status="declined", note="Ikkje behov no.", by=advisor)

    second = services.referral_create(
        household=lease.household, source=Referral.Source.ARREARS, reason="Ny restanse.", lease=lease, by=caseworker
    )

    assert second.ref != first.ref
    assert Referral.objects.filter(lease=lease).open().get() == second


# --- referral_from_arrears ---------------------------------------------------------------------------------


def test_referral_from_arrears__the_reason_carries_the_latest_arrears_figure(caseworker):
    lease = lease_in_arrears(caseworker, arrears=[(dt.date(2026, 9, 30), 12_500), (dt.date(2026, 10, 31), 18_750)])

    referral = services.referral_from_arrears(lease=lease, by=caseworker)

    assert "kr 18 750" in referral.reason.replace("\xa0", " ")
    assert "31.10.2026" in referral.reason
    assert "12500" not in referral.reason
    assert lease.ref in referral.reason
    assert (referral.source, referral.lease, referral.application) == ("arrears", lease, lease.application)


def test_referral_from_arrears__closes_the_arrears_reminder_at_the_next_sweep(caseworker):
    lease = lease_in_arrears(caseworker, arrears=[(dt.date(2026, 9, 30), 4_000), (dt.date(2026, 10, 31), 9_000)])
    reminder_sweep(TODAY)
    reminder = Reminder.objects.get(kind="arrears_referral", subject_ref=lease.ref)
    assert (reminder.due, reminder.closed_at, reminder.assigned_to) == (dt.date(2026, 10, 31), None, caseworker)

    services.referral_from_arrears(lease=lease, by=caseworker)
    reminder_sweep(TODAY)

    reminder.refresh_from_db()
    assert reminder.closed_at is not None
    assert not Reminder.objects.filter(kind="arrears_referral", closed_at__isnull=True).exists()


def test_referral_from_arrears__closes_the_reminder_at_once_after_commit(
    caseworker, django_capture_on_commit_callbacks
):
    lease = lease_in_arrears(caseworker, arrears=[(dt.date(2026, 10, 31), 9_500)])
    reminder_sweep(TODAY)

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_from_arrears(lease=lease, by=caseworker)

    assert Reminder.objects.get(kind="arrears_referral", subject_ref=lease.ref).closed_at is not None


# --- referral_transition -----------------------------------------------------------------------------------


def test_referral_transition__the_whole_loop_writes_one_history_line_per_step(caseworker, advisor):
    referral = refer(caseworker)
    for status in LOOP:
        note = "Gjeldsordning innvilga av namsmannen." if status == "outcome" else ""
        if status == "budget_made":  # follows from making the budget, not from picking the status
            services.budget_make(referral=referral, data={"net_income": 30_000}, by=advisor)
        else:
            services.referral_transition(referral=referral, to_status=status, note=note, by=advisor)
        referral.refresh_from_db()
        assert referral.status == status

    steps = list(
        ReferralStatusEvent.objects.filter(referral=referral).order_by("id").values_list("from_status", "to_status")
    )
    assert steps == list(zip(["", "new", *LOOP[:-1]], ["new", *LOOP], strict=True))
    assert referral.outcome == "Gjeldsordning innvilga av namsmannen."


def test_referral_transition__accepting_makes_the_acceptor_the_advisor(caseworker, advisor):
    referral = refer(caseworker)
    assert referral.advisor is None

    services.referral_transition(referral=referral, to_status="accepted", by=advisor)

    referral.refresh_from_db()
    assert referral.advisor == advisor
    assert referral.status_events.first().by == advisor


def test_referral_transition__declining_needs_a_reason(caseworker, advisor):
    referral = refer(caseworker)
    with pytest.raises(ValidationError) as caught:
        services.referral_transition(referral=referral, to_status="declined", note="  ", by=advisor)
    assert "note" in caught.value.message_dict
    referral.refresh_from_db()
    assert referral.status == "new"
    assert referral.status_events.count() == 1

    services.referral_transition(referral=referral, to_status="declined", note="Har alt rådgjevar i NAV.", by=advisor)
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "Har alt rådgjevar i NAV.")


def test_referral_transition__an_outcome_needs_a_note(caseworker, advisor):
    referral = accepted(caseworker, advisor)
    services.referral_transition(referral=referral, to_status="negotiating", by=advisor)

    with pytest.raises(ValidationError) as caught:
        services.referral_transition(referral=referral, to_status="outcome", note="", by=advisor)

    assert "note" in caught.value.message_dict
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("negotiating", "")


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "closed"),
        ([], "budget_made"),
        ([], "outcome"),
        (["accepted"], "declined"),
        (["accepted"], "budget_made"),  # without a budget: the status follows from making one
        (["accepted", "negotiating"], "accepted"),
        (["accepted", "closed"], "accepted"),
        (["declined"], "accepted"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, list) else v,
)
def test_referral_transition__illegal_moves_are_refused(caseworker, advisor, path, illegal):
    referral = refer(caseworker)
    for status in path:
        services.referral_transition(referral=referral, to_status=status, note="Grunngjeving.", by=advisor)
    before = referral.status_events.count()

    with pytest.raises(services.ReferralTransitionNotAllowed):
        services.referral_transition(referral=referral, to_status=illegal, note="Forsøk.", by=advisor)

    referral.refresh_from_db()
    assert referral.status == (path[-1] if path else "new")
    assert referral.status_events.count() == before


# --- budget_make -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status_path", [[], ["declined"], ["accepted", "closed"]], ids=["new", "declined", "closed"])
def test_budget_make__only_after_the_referral_is_accepted(caseworker, advisor, status_path):
    referral = refer(caseworker)
    for status in status_path:
        services.referral_transition(referral=referral, to_status=status, note="Grunngjeving.", by=advisor)

    with pytest.raises(services.ReferralTransitionNotAllowed):
        services.budget_make(referral=referral, data={"net_income": 30_000}, by=advisor)

    assert not Budget.objects.exists()


def test_budget_make__single_adult_by_the_sifo_seed_and_the_default_rates(caseworker, advisor):
    household = household_aged(("applicant", dt.date(1991, 3, 14)))  # 35 on 25 Nov 2026
    referral = accepted(caseworker, advisor, case_for(caseworker, household=household))

    budget = services.budget_make(referral=referral, data={"net_income": 30_000, "student_loan": 1_500}, by=advisor)

    assert budget.living_sifo == 7_100 + 2_700 == 9_800  # adult + household of 1
    assert budget.living_guideline == 7_250
    assert budget.living_applied == 9_800
    assert budget.policy_rate == Decimal("4.00")
    assert budget.monthly_room == 30_000 - 9_800 - 1_500 == 18_700
    # 18 700 × 0.856974 / 0.0054167 over 30 years at the stressed 6.5 %
    assert budget.carryable_loan == pytest.approx(2_958_542, abs=1)
    assert budget.carryable_loan == round(
        rules.carryable_loan(net_income=30_000, living=9_800, fixed_costs=1_500, policy_rate_pct=4.0, years=30)
    )
    assert (budget.made_on, budget.made_by, budget.term_years) == (TODAY, advisor, 30)


def test_budget_make__couple_with_two_children(caseworker, advisor):
    household = household_aged(
        ("applicant", dt.date(1986, 2, 1)),  # 40
        ("partner", dt.date(1988, 6, 1)),  # 38
        ("child", dt.date(2022, 5, 1)),  # 4
        ("child", dt.date(2017, 1, 15)),  # 9
    )
    referral = accepted(caseworker, advisor, case_for(caseworker, household=household))

    budget = services.budget_make(
        referral=referral, data={"net_income": 62_000, "childcare": 3_000, "consumer_debt": 1_200}, by=advisor
    )

    assert budget.living_sifo == 2 * 7_100 + 3_300 + 4_600 + 4_400 == 26_500
    assert budget.living_guideline == 2 * 7_250 + 2 * 3_800 == 22_100
    assert budget.monthly_room == 62_000 - 26_500 - 4_200 == 31_300
    # 31 300 × 0.856974 / 0.0054167 (the worked example in test_rules.py)
    assert budget.carryable_loan == pytest.approx(4_951_999, abs=1)


def test_budget_make__living_costs_never_below_a_recorded_guideline_rate(caseworker, advisor):
    PolicyParameter.objects.create(key="guideline_adult_monthly", valid_from=dt.date(2026, 7, 1), value=11_000)
    PolicyParameter.objects.create(key="guideline_adult_monthly", valid_from=TODAY + DAY, value=99_000)  # not yet
    household = household_aged(("applicant", dt.date(1991, 3, 14)))
    referral = accepted(caseworker, advisor, case_for(caseworker, household=household))

    budget = services.budget_make(referral=referral, data={"net_income": 30_000, "student_loan": 1_500}, by=advisor)

    assert (budget.living_sifo, budget.living_guideline) == (9_800, 11_000)
    assert budget.monthly_room == 30_000 - 11_000 - 1_500
    assert budget.carryable_loan == round(rules.max_principal(17_500, 6.5, 30))


def test_budget_make__uses_the_policy_rate_in_force_and_the_chosen_term(caseworker, advisor):
    PolicyParameter.objects.create(key="policy_rate_pct", valid_from=dt.date(2026, 9, 1), value=Decimal("5.00"))
    household = household_aged(("applicant", dt.date(1991, 3, 14)))
    referral = accepted(caseworker, advisor, case_for(caseworker, household=household))

    budget = services.budget_make(
        referral=referral, data={"net_income": 30_000, "student_loan": 1_500}, term_years=20, by=advisor
    )

    assert budget.policy_rate == Decimal("5.00")
    assert budget.carryable_loan == round(rules.max_principal(18_700, 7.5, 20))


def test_budget_make__moves_the_referral_to_budget_made_once(caseworker, advisor):
    referral = accepted(caseworker, advisor)

    services.budget_make(referral=referral, data={"net_income": 30_000}, by=advisor)
    services.budget_make(referral=referral, data={"net_income": 31_000}, by=advisor)  # a revised budget

    referral.refresh_from_db()
    assert referral.status == "budget_made"
    assert referral.budgets.count() == 2
    assert list(referral.status_events.order_by("id").values_list("to_status", flat=True)) == [
        "new",
        "accepted",
        "budget_made",
    ]


def test_budget_make__writes_a_budget_summary_letter(caseworker, advisor, django_capture_on_commit_callbacks):
    household = household_aged(("applicant", dt.date(1991, 3, 14)))
    referral = accepted(caseworker, advisor, case_for(caseworker, household=household))

    with django_capture_on_commit_callbacks(execute=True):
        budget = services.budget_make(referral=referral, data={"net_income": 30_000, "student_loan": 1_500}, by=advisor)

    letter = Letter.objects.get(case_ref=referral.ref, kind="budget")
    text = letter_text(letter)
    assert "Budsjettet ditt" in text
    assert "kr " + f"{budget.carryable_loan:,}".replace(",", " ") in text  # thousands separated, as Norwegians write
    assert "kr 9 800" in text  # living costs applied
    assert "Dette er ikkje eit vedtak." in text


# --- startlan_register / startlan_decide -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"received": TODAY + dt.timedelta(days=1)}, "received", "The date received cannot be in the future."),
        (
            {"price": 2_500_000, "loan_applied": 2_400_000, "grant_applied": 200_000},
            "grant_applied",
            "Loan and grant together cannot be more than the price of the home.",
        ),
    ],
)
def test_startlan_register__impossible_dates_and_amounts_are_refused(advisor, data, field, message):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        startlan(HouseholdFactory(), advisor, **data)

    assert caught.value.message_dict[field] == [message]
    assert not StartlanApplication.objects.exists()


def test_startlan_register__one_undecided_application_per_household(advisor):
    household = HouseholdFactory()
    first = startlan(household, advisor)

    with pytest.raises(ValidationError) as caught, translation.override("en"):
        startlan(household, advisor)

    assert caught.value.messages == [
        f"The household already has startlån application {first.ref} waiting for a decision."
    ]
    decide(first, advisor, outcome="refused", loan_granted=None, term_years=None)
    assert startlan(household, advisor).ref != first.ref  # a new application once the first is decided


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        ({"loan_granted": 3_000_001}, "loan_granted", "The loan cannot be larger than the price of the home."),
        (
            {"grant_granted": 100_001},
            "grant_granted",
            "The grant cannot be more than was applied for (kr\xa0100\xa0000).",
        ),
        (
            {"loan_granted": 2_950_000, "grant_granted": 100_000},
            "grant_granted",
            "Loan and grant together cannot be more than the price of the home.",
        ),
    ],
)
def test_startlan_decide__more_than_the_home_costs_or_than_applied_for_is_refused(advisor, terms, field, message):
    application = startlan(HouseholdFactory(), advisor, grant_applied=100_000)  # price 3 000 000

    with pytest.raises(ValidationError) as caught, translation.override("en"):
        decide(application, advisor, **terms)
    assert caught.value.message_dict[field] == [message]
    assert caught.value.message_dict[field] == [message.replace("\\xa0", "\xa0")]
    application.refresh_from_db()
    assert (application.outcome, application.loan_granted) == ("", None)


def test_startlan_register__a_loan_above_the_price_is_refused(advisor):
    household = HouseholdFactory()
    with pytest.raises(ValidationError) as caught:
        startlan(household, advisor, price=2_000_000, loan_applied=2_000_001)
    assert "loan_applied" in caught.value.message_dict
    assert not StartlanApplication.objects.exists()

    application = startlan(household, advisor, price=2_000_000, loan_applied=2_000_000)
    assert application.ref.startswith("SL-")
    assert application.outcome == ""


def test_startlan_decide__granted_records_the_terms(advisor):
    application = startlan(HouseholdFactory(), advisor, grant_applied=200_000)

    decided = decide(
        application, advisor, loan_granted=2_350_000, grant_granted=150_000, term_years=50, instalment_free_years=8
    )

    decided.refresh_from_db()
    assert (decided.outcome, decided.loan_granted, decided.grant_granted) == ("granted", 2_350_000, 150_000)
    assert (decided.term_years, decided.instalment_free_years) == (50, 8)
    assert (decided.decided, decided.decided_by) == (TODAY, advisor)


@pytest.mark.parametrize(
    "terms",
    [
        {"loan_granted": None},
        {"loan_granted": 0},
        {"term_years": None},
        {"term_years": 51},
        {"instalment_free_years": 9, "term_years": 30},
        {"instalment_free_years": 5, "term_years": 5},
        {"instalment_free_years": 6, "term_years": 5},
    ],
    ids=["no-amount", "zero-amount", "no-term", "term-51", "9-free-years", "free-equals-term", "free-beyond-term"],
)
def test_startlan_decide__granted_terms_outside_the_limits_are_refused(advisor, terms):
    application = startlan(HouseholdFactory(), advisor)

    with pytest.raises(ValidationError):
        decide(application, advisor, **terms)

    application.refresh_from_db()
    assert application.outcome == ""
    assert application.decided is None
    assert not Letter.objects.filter(case_ref=application.ref).exists()


def test_startlan_decide__a_refusal_needs_reasons(advisor):
    application = startlan(HouseholdFactory(), advisor)

    with pytest.raises(ValidationError) as caught:
        decide(application, advisor, outcome="refused", loan_granted=None, term_years=None, reasons=" ")

    assert "reasons" in caught.value.message_dict
    application.refresh_from_db()
    assert application.outcome == ""


def test_startlan_decide__a_refusal_keeps_no_loan_terms(advisor):
    application = startlan(HouseholdFactory(), advisor)

    decided = decide(
        application, advisor, outcome="refused", instalment_free_years=3, reasons="Husstanden kan ikkje betene lånet."
    )

    decided.refresh_from_db()
    assert decided.outcome == "refused"
    assert (decided.loan_granted, decided.grant_granted, decided.term_years, decided.instalment_free_years) == (
        None,
        None,
        None,
        0,
    )


def test_startlan_decide__cannot_be_decided_twice(advisor, make_user):
    application = startlan(HouseholdFactory(), advisor)
    decide(application, advisor, outcome="refused", reasons="For låg inntekt.")
    other = make_user("financial_advisor")

    with pytest.raises(ValidationError):
        decide(application, other, outcome="granted")

    application.refresh_from_db()
    assert (application.outcome, application.decided_by, application.loan_granted) == ("refused", advisor, None)
    assert Letter.objects.filter(case_ref=application.ref).count() == 1


def test_startlan_decide__the_letter_states_amount_appeal_deadline_and_right_to_appeal(
    advisor, django_capture_on_commit_callbacks
):
    application = startlan(HouseholdFactory(), advisor)

    with django_capture_on_commit_callbacks(execute=True):
        decide(application, advisor, loan_granted=2_350_000, term_years=25, instalment_free_years=2)

    letter = Letter.objects.get(case_ref=application.ref)
    text = letter_text(letter)
    assert "Vedtak om startlån" in text
    assert "kr 2 350 000" in text
    assert "Nedbetalingstid 25 år, dei første 2 åra utan avdrag" in text
    # what was applied for, on what legal basis, and the loan's terms
    assert "kjøpe bustad (kjøpesum eller kostnad kr 3 000 000; søkt lån kr 2 400 000)" in " ".join(text.split())
    assert "forskrift om lån frå Husbanken kapittel 5 (startlån)" in " ".join(text.split())
    assert "pant i bustaden" in text
    # less than applied for is a partial refusal, and the letter says so
    assert "Du får mindre enn du søkte om: lån kr 2 350 000 av kr 2 400 000." in " ".join(text.split())
    # three weeks from Wednesday 25 Nov 2026 is Wednesday 16 Dec 2026, a working day
    assert "16. desember 2026" in text
    assert "klage" in text.lower()
    assert "Husstanden kan betene lånet med god margin." in text


def test_startlan_decide__a_bokmal_letter_with_a_grant_cites_both_regulations(
    advisor, django_capture_on_commit_callbacks
):
    application = startlan(HouseholdFactory(), advisor, grant_applied=200_000, purpose="refinance")

    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application, advisor, loan_granted=2_200_000, grant_granted=150_000, instalment_free_years=1, language="nb"
        )

    text = " ".join(letter_text(Letter.objects.get(case_ref=application.ref)).split())
    assert "refinansiere lån for å beholde boligen" in text
    assert (
        "forskrift om lån fra Husbanken kapittel 5 (startlån) og forskrift om tilskudd til etablering i egen bolig"
        in text
    )
    assert "Nedbetalingstid 30 år, det første året uten avdrag." in text
    assert "lån kr 2 200 000 av kr 2 400 000, tilskudd kr 150 000 av kr 200 000. Dette er et delvis avslag" in text
    assert "Tilskuddet skal brukes til det formålet det er gitt til." in text
    assert "pant i boligen" in text


def test_startlan_decide__a_grant_of_what_was_applied_for_is_no_partial_refusal(
    advisor, django_capture_on_commit_callbacks
):
    application = startlan(HouseholdFactory(), advisor)

    with django_capture_on_commit_callbacks(execute=True):
        decide(application, advisor, loan_granted=2_400_000)

    text = letter_text(Letter.objects.get(case_ref=application.ref))
    assert "kr 2 400 000" in text and "delvis avslag" not in text and "mindre enn du søkte om" not in text


def test_startlan_decide__a_refusal_letter_also_gives_the_appeal_deadline(advisor, django_capture_on_commit_callbacks):
    application = startlan(HouseholdFactory(), advisor)

    with django_capture_on_commit_callbacks(execute=True):
        decide(application, advisor, outcome="refused", reasons="Lånet er for stort for inntekta.")

    text = letter_text(Letter.objects.get(case_ref=application.ref))
    assert "Søknaden din om startlån er avslått." in text
    assert "16. desember 2026" in text
    assert "Lånet er for stort for inntekta." in text


# --- consent_record / consent_revoke -----------------------------------------------------------------------


def member_person(household):
    """The household's applicant, an adult whatever birth date the factory's sequence gave them (consent is given
    by adults: a child's would be refused for another reason than the one a test is about)."""
    person = HouseholdMember.objects.get(household=household, role="applicant").person
    if person.birth_date > TODAY.replace(year=TODAY.year - 18):
        person.birth_date = dt.date(1985, 5, 5)
        person.save(update_fields=["birth_date"])
    return person


def test_consent_record__given_today_with_an_expiry_counts_until_the_expiry(caseworker):
    person = member_person(HouseholdFactory())

    consent = services.consent_record(person=person, purpose="economy", given=TODAY, expires=TODAY + DAY, by=caseworker)

    assert (consent.party, consent.purpose, consent.recorded_by) == ("nav", "economy", caseworker)
    assert list(Consent.objects.valid_on(TODAY)) == [consent]
    assert not Consent.objects.valid_on(TODAY + DAY).exists()


def test_consent_record__a_child_cannot_consent_for_the_household(caseworker):
    from tests.factories import HouseholdMemberFactory

    household = HouseholdFactory()
    child = HouseholdMemberFactory(household=household, role="child", person__birth_date=dt.date(2015, 3, 1)).person
    almost = HouseholdMemberFactory(
        household=household, role="child", person__birth_date=TODAY.replace(year=TODAY.year - 18) + DAY
    ).person

    for person in (child, almost):
        with pytest.raises(ValidationError) as caught:
            services.consent_record(person=person, purpose="economy", given=TODAY, expires=None, by=caseworker)
        assert "person" in caught.value.message_dict
    assert not Consent.objects.exists()
    adult = services.consent_record(
        person=member_person(household), purpose="economy", given=TODAY, expires=None, by=caseworker
    )
    assert list(Consent.objects.all()) == [adult]


def test_consent_record__a_consent_given_in_the_future_is_refused(caseworker):
    person = member_person(HouseholdFactory())
    with pytest.raises(ValidationError) as caught:
        services.consent_record(person=person, purpose="economy", given=TODAY + DAY, expires=None, by=caseworker)
    assert "given" in caught.value.message_dict
    assert not Consent.objects.exists()


@pytest.mark.parametrize("expires", [TODAY - DAY, TODAY], ids=["before-given", "same-day"])
def test_consent_record__an_expiry_not_after_the_given_day_is_refused(caseworker, expires):
    person = member_person(HouseholdFactory())
    with pytest.raises(ValidationError) as caught:
        services.consent_record(person=person, purpose="housing", given=TODAY, expires=expires, by=caseworker)
    assert "expires" in caught.value.message_dict
    assert not Consent.objects.exists()


def test_consent_revoke__ends_the_consent_today_and_keeps_the_first_date(caseworker, pinned_today):
    person = member_person(HouseholdFactory())
    consent = services.consent_record(
        person=person, purpose="economy", given=TODAY - 30 * DAY, expires=None, by=caseworker
    )
    assert Consent.objects.valid_on(TODAY).exists()

    services.consent_revoke(consent=consent, by=caseworker)

    consent.refresh_from_db()
    assert consent.revoked == TODAY
    assert not Consent.objects.valid_on(TODAY).exists()
    assert Consent.objects.valid_on(TODAY - DAY).exists()  # it did count until yesterday

    pinned_today.shift(dt.timedelta(days=2))
    services.consent_revoke(consent=Consent.objects.get(pk=consent.pk), by=caseworker)
    consent.refresh_from_db()
    assert consent.revoked == TODAY
