"""Who sees what in financial advice: NAV only through the consent-gated view, only what the consent covers and
never health; the financial advisor through referrals; the caseworker their own referrals; every read logged.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import URLPattern, reverse

from cases import services as case_services
from cases.models import Assessment, HealthAssessment, HouseholdMember
from finance_advice import services
from finance_advice import urls as finance_urls
from finance_advice.models import Budget, Consent, Referral, StartlanApplication
from stord_bolig.letters import letter_render
from stord_bolig.models import AccessLog, Letter
from tenancies.models import FollowUpPlan
from tests.factories import HouseholdFactory, HouseholdMemberFactory, LeaseFactory
from tests.finance_advice.conftest import DAY, TODAY, case_for, login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

HEALTH_NOTE = "SECRET-HEALTH-NOTE"
HEALTH_MOBILITY = "SECRET-HEALTH-MOBILITY"
FOLLOWUP_GOAL = "SECRET-FOLLOWUP-GOAL"
HOUSING_NOTE = "HOUSING-NOTE-OF-THE-CASE"
INCOME = 23_456

# URL keyword arguments that name a case, referral, lease or startlån application
REF_KWARGS = {"ref", "case_ref", "lease_ref"}


def nav_url(world) -> str:
    return reverse("finance_advice:nav-case", args=[world.case.ref])


def case_url(application) -> str:
    return reverse("cases:case-detail", args=[application.ref])


@pytest.fixture
def world(caseworker, advisor):
    """Kari's case: applicant and partner, an assessment with economy, housing, follow-up and health data, a lease
    with a follow-up plan, a referral to financial advice and a startlån application."""
    household = HouseholdFactory()
    partner = HouseholdMemberFactory(household=household, role="partner", position=1).person
    case = case_for(caseworker, household=household)
    Assessment.objects.create(
        application=case, monthly_income=INCOME, debt=180_000, housing_notes=HOUSING_NOTE, followup_needs="Butrening."
    )
    HealthAssessment.objects.create(
        application=case, notes=HEALTH_NOTE, mobility_needs=HEALTH_MOBILITY, mental_health=True
    )
    lease = LeaseFactory(
        application=case, household=household, start=dt.date(2026, 1, 1), last_circulation_review=dt.date(2026, 11, 1)
    )
    FollowUpPlan.objects.create(lease=lease, goals=FOLLOWUP_GOAL, started=dt.date(2026, 2, 1))
    referral = services.referral_create(
        household=household, source=Referral.Source.CASE, reason="Treng budsjett.", application=case, by=caseworker
    )
    startlan = services.startlan_register(
        household=household,
        referral=referral,
        data={"received": TODAY, "purpose": "buy", "price": 2_500_000, "loan_applied": 2_000_000},
        by=advisor,
    )
    # a consent that ended ten days ago: it gives NAV nothing, but it gives the revoke URL a real id
    old_consent = Consent.objects.create(
        person=partner, purpose="economy", given=TODAY - 100 * DAY, expires=TODAY - 10 * DAY
    )
    return SimpleNamespace(
        case=case,
        household=household,
        partner=partner,
        lease=lease,
        referral=referral,
        startlan=startlan,
        old_consent=old_consent,
    )


def consent(world, purpose="economy", **dates) -> Consent:
    values = {"given": TODAY - 5 * DAY, "expires": None, "revoked": None, **dates}
    return Consent.objects.create(person=world.partner, purpose=purpose, **values)


def ref_urls(world) -> list[tuple[str, str, str, dict]]:
    """Each finance_advice URL taking a ref, per method it answers, and the case page: (name, method, url, data)."""

    def url(name, *args):
        return reverse(name, args=args)

    case, referral = world.case, world.referral
    return [
        ("finance_advice:referral-detail", "get", url("finance_advice:referral-detail", referral.ref), {}),
        (
            "finance_advice:referral-act",
            "post",
            url("finance_advice:referral-act", referral.ref),
            {"form": "transition", "to_status": "accepted"},
        ),
        ("finance_advice:referral-from-case", "get", url("finance_advice:referral-from-case", case.ref), {}),
        (
            "finance_advice:referral-from-case",
            "post",
            url("finance_advice:referral-from-case", case.ref),
            {"reason": "NAV vil tilvise."},
        ),
        ("finance_advice:referral-from-lease", "post", url("finance_advice:referral-from-lease", world.lease.ref), {}),
        ("finance_advice:startlan-detail", "get", url("finance_advice:startlan-detail", world.startlan.ref), {}),
        (
            "finance_advice:startlan-detail",
            "post",
            url("finance_advice:startlan-detail", world.startlan.ref),
            {
                "outcome": "granted",
                "loan_granted": "2000000",
                "term_years": "30",
                "instalment_free_years": "0",
                "reasons": "NAV avgjer.",
                "language": "nn",
            },
        ),
        ("finance_advice:consents", "get", url("finance_advice:consents", case.ref), {}),
        (
            "finance_advice:consents",
            "post",
            url("finance_advice:consents", case.ref),
            {"person": world.partner.ref, "purpose": "followup", "given": TODAY.isoformat()},
        ),
        (
            "finance_advice:consent-revoke",
            "post",
            url("finance_advice:consent-revoke", case.ref, world.old_consent.pk),
            {},
        ),
        ("finance_advice:access-report", "get", url("finance_advice:access-report", case.ref), {}),
        ("finance_advice:nav-case", "get", url("finance_advice:nav-case", case.ref), {}),
        ("cases:case-detail", "get", url("cases:case-detail", case.ref), {}),
    ]


def assert_nothing_changed(world, consents_before: int) -> None:
    world.referral.refresh_from_db()
    world.startlan.refresh_from_db()
    world.old_consent.refresh_from_db()
    world.lease.refresh_from_db()
    assert world.referral.status == "new"
    assert Referral.objects.count() == 1
    assert world.startlan.outcome == ""
    assert world.old_consent.revoked is None
    assert Consent.objects.count() == consents_before
    assert not Budget.objects.exists()


# --- NAV: every URL that takes a ref -----------------------------------------------------------------------


def test_ref_urls__cover_every_finance_advice_url_that_takes_a_ref(world):
    taking_a_ref = {
        f"finance_advice:{p.name}"
        for p in finance_urls.urlpatterns
        if isinstance(p, URLPattern) and REF_KWARGS & set(p.pattern.converters)
    }
    covered = {name for name, *_rest in ref_urls(world)}
    assert taking_a_ref <= covered
    assert "cases:case-detail" in covered


@pytest.mark.parametrize("with_consent", [False, True], ids=["no-consent", "economy-consent"])
def test_nav_advisor__is_refused_everywhere_but_the_consented_nav_view(nav_advisor, world, with_consent):
    if with_consent:
        consent(world, "economy")
    consents_before = Consent.objects.count()
    nav = login(nav_advisor)

    for name, method, url, data in ref_urls(world):
        response = getattr(nav, method)(url, data)
        if name == "finance_advice:nav-case":
            assert response.status_code == (200 if with_consent else 404), url
        elif name == "cases:case-detail":
            assert response.status_code == 404, url
        else:
            assert response.status_code in (403, 404), (method, url, response.status_code)
            assert HEALTH_NOTE not in response.content.decode(), url

    assert_nothing_changed(world, consents_before)


def test_nav_case__economy_consent_shows_only_the_economy_section(nav_advisor, world):
    consent(world, "economy")

    response = login(nav_advisor).get(nav_url(world))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="nav-economy"' in html
    assert "kr\u00a023\u00a0456" in html  # INCOME, as kroner
    assert world.referral.ref in html
    assert 'data-testid="nav-housing"' not in html
    assert 'data-testid="nav-followup"' not in html
    assert HOUSING_NOTE not in html
    assert FOLLOWUP_GOAL not in html
    assert HEALTH_NOTE not in html
    assert HEALTH_MOBILITY not in html


def test_nav_case__never_shows_health_data_even_with_every_consent(nav_advisor, world):
    for purpose in ("economy", "housing", "followup"):
        consent(world, purpose)

    response = login(nav_advisor).get(nav_url(world))

    html = response.content.decode()
    assert response.status_code == 200
    # the other sections are there now, so the markers would show if they leaked
    assert 'data-testid="nav-housing"' in html and HOUSING_NOTE in html
    assert 'data-testid="nav-followup"' in html and FOLLOWUP_GOAL in html
    assert HEALTH_NOTE not in html
    assert HEALTH_MOBILITY not in html
    assert not AccessLog.objects.filter(user_id=nav_advisor.pk, section="health").exists()


def test_nav_case__a_consent_in_another_household_does_not_open_the_case(nav_advisor, world):
    other = HouseholdFactory()
    other_person = HouseholdMember.objects.get(household=other).person
    Consent.objects.create(person=other_person, purpose="economy", given=TODAY - DAY)
    other_case = case_for(None, household=other)
    nav = login(nav_advisor)

    assert nav.get(nav_url(world)).status_code == 404
    assert nav.get(reverse("finance_advice:nav-case", args=[other_case.ref])).status_code == 200


@pytest.mark.parametrize(
    ("dates", "status"),
    [
        ({"given": TODAY}, 200),
        ({"expires": TODAY + DAY}, 200),
        ({"expires": TODAY}, 404),
        ({"expires": TODAY - DAY}, 404),
        ({"revoked": TODAY}, 404),
        ({"given": TODAY + DAY}, 404),
    ],
    ids=["given-today", "expires-tomorrow", "expires-today", "expired", "revoked-today", "given-tomorrow"],
)
def test_nav_case__only_while_the_consent_is_valid(nav_advisor, world, dates, status):
    consent(world, "economy", **dates)
    assert login(nav_advisor).get(nav_url(world)).status_code == status


def test_nav_case__a_closed_case_is_not_shared(nav_advisor, world):
    consent(world, "economy")
    world.case.status = "closed"
    world.case.save(update_fields=["status"])

    assert login(nav_advisor).get(nav_url(world)).status_code == 404


def test_nav_case__revoking_the_consent_refuses_the_next_request(caseworker, nav_advisor, world):
    given = consent(world, "economy")
    nav = login(nav_advisor)
    assert nav.get(nav_url(world)).status_code == 200

    response = login(caseworker).post(reverse("finance_advice:consent-revoke", args=[world.case.ref, given.pk]))
    assert response.status_code == 302

    given.refresh_from_db()
    assert given.revoked == TODAY
    assert nav.get(nav_url(world)).status_code == 404
    assert AccessLog.objects.filter(user_id=nav_advisor.pk, action="denied", case_ref=world.case.ref).count() == 1


def test_nav_case__revoking_through_the_service_refuses_the_next_request(caseworker, nav_advisor, world):
    given = consent(world, "economy")
    nav = login(nav_advisor)
    assert nav.get(nav_url(world)).status_code == 200

    services.consent_revoke(consent=given, by=caseworker)

    assert nav.get(nav_url(world)).status_code == 404


def test_nav_list__lists_only_consented_cases(nav_advisor, world, caseworker):
    consent(world, "economy")
    unshared = case_for(caseworker)

    response = login(nav_advisor).get(reverse("finance_advice:nav-list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert world.case.ref in html
    assert unshared.ref not in html


def test_nav_case__other_roles_do_not_get_the_nav_view(caseworker, advisor, world):
    consent(world, "economy")
    for user in (caseworker, advisor):
        assert login(user).get(nav_url(world)).status_code == 404


def test_case_detail__nav_advisor_never_opens_the_case_page_even_with_every_consent(nav_advisor, world):
    for purpose in ("economy", "housing", "followup"):
        consent(world, purpose)

    response = login(nav_advisor).get(case_url(world.case))

    assert response.status_code == 404
    assert HEALTH_NOTE not in response.content.decode()
    assert AccessLog.objects.filter(
        user_id=nav_advisor.pk, action="denied", case_ref=world.case.ref, section="case"
    ).exists()


def test_letter_download__nav_advisor_gets_no_letter_of_the_case(
    caseworker, advisor, nav_advisor, world, django_capture_on_commit_callbacks
):
    consent(world, "economy")
    with django_capture_on_commit_callbacks(execute=True):
        case_services.preliminary_reply_send(
            application=world.case, reason="Mange saker.", expected=TODAY + 20 * DAY, by=caseworker
        )
        services.referral_transition(referral=world.referral, to_status="accepted", by=advisor)
        services.budget_make(referral=world.referral, data={"net_income": 30_000}, by=advisor)
        services.startlan_decide(
            application=world.startlan,
            outcome="refused",
            loan_granted=None,
            grant_granted=None,
            term_years=None,
            instalment_free_years=0,
            reasons="For høg gjeld.",
            by=advisor,
        )
    letter_render(Letter.objects.get(kind="referral").pk)  # queued in the fixture, outside the capture
    letters = list(Letter.objects.all())
    assert {letter.kind for letter in letters} >= {"preliminary_reply", "referral", "budget", "startlan"}
    assert all(letter.status == Letter.Status.RENDERED for letter in letters)
    nav = login(nav_advisor)

    for letter in letters:
        assert nav.get(reverse("letter-download", args=[letter.pk])).status_code == 404, letter.kind

    denied = AccessLog.objects.filter(user_id=nav_advisor.pk, action="denied", section="letter")
    assert denied.count() == len(letters)
    # the people with a need to know do get them
    case_letter = next(letter for letter in letters if letter.kind == "preliminary_reply")
    referral_letter = next(letter for letter in letters if letter.kind == "referral")
    assert login(caseworker).get(reverse("letter-download", args=[case_letter.pk])).status_code == 200
    assert login(advisor).get(reverse("letter-download", args=[referral_letter.pk])).status_code == 200


# --- the access log of NAV's reads -------------------------------------------------------------------------


def test_nav_case__every_read_writes_a_nav_row(nav_advisor, world):
    consent(world, "economy")
    consent(world, "housing")
    nav = login(nav_advisor)

    for _ in range(3):
        assert nav.get(nav_url(world)).status_code == 200

    rows = AccessLog.objects.filter(user_id=nav_advisor.pk, action="read")
    assert rows.count() == 3
    assert {(row.case_ref, row.section, row.role) for row in rows} == {
        (world.case.ref, "nav:economy,housing", "nav_advisor")
    }


def test_nav_case__every_denial_writes_a_denied_row(nav_advisor, world):
    nav = login(nav_advisor)

    for _ in range(2):
        assert nav.get(nav_url(world)).status_code == 404

    rows = AccessLog.objects.filter(user_id=nav_advisor.pk).exclude(action="login")
    assert [row.action for row in rows] == ["denied", "denied"]
    assert {row.case_ref for row in rows} == {world.case.ref}
    assert not rows.filter(section__startswith="nav:").exists()


def test_nav_case__an_expired_consent_is_denied_and_logged(nav_advisor, world):
    consent(world, "economy", given=TODAY - 60 * DAY, expires=TODAY)

    assert login(nav_advisor).get(nav_url(world)).status_code == 404

    row = AccessLog.objects.exclude(action="login").get(user_id=nav_advisor.pk)
    assert (row.action, row.case_ref) == ("denied", world.case.ref)


# --- financial advisor -------------------------------------------------------------------------------------


def test_referral_list__advisor_sees_every_referral(advisor, caseworker, colleague, world):
    other = services.referral_create(
        household=case_for(colleague).household, source=Referral.Source.INTAKE, reason="Eigen kontakt.", by=colleague
    )

    response = login(advisor).get(reverse("finance_advice:referral-list"))

    html = response.content.decode()
    assert world.referral.ref in html
    assert other.ref in html


def test_referral_detail__advisor_opens_any_referral(advisor, colleague, world):
    other = services.referral_create(
        household=case_for(colleague).household, source=Referral.Source.INTAKE, reason="Eigen kontakt.", by=colleague
    )
    client = login(advisor)

    for referral in (world.referral, other):
        response = client.get(reverse("finance_advice:referral-detail", args=[referral.ref]))
        assert response.status_code == 200
        assert referral.reason in response.content.decode()


def test_case_detail__advisor_sees_the_case_behind_a_referral_but_not_its_health(advisor, world):
    response = login(advisor).get(case_url(world.case), {"health": "1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert world.case.ref in html
    assert 'data-testid="health-section"' not in html
    assert HEALTH_NOTE not in html
    assert HEALTH_MOBILITY not in html
    assert not AccessLog.objects.filter(user_id=advisor.pk, section="health").exists()


def test_case_detail__advisor_does_not_see_a_case_without_a_referral(advisor, caseworker, world):
    unreferred = case_for(caseworker)

    response = login(advisor).get(case_url(unreferred))

    assert response.status_code == 404
    assert AccessLog.objects.filter(user_id=advisor.pk, action="denied", case_ref=unreferred.ref).exists()


def test_case_detail__advisor_sees_the_case_behind_a_lease_referral(advisor, caseworker):
    case = case_for(caseworker)
    lease = LeaseFactory(application=case, household=case.household, start=dt.date(2026, 1, 1))
    services.referral_from_arrears(lease=lease, by=caseworker)

    assert login(advisor).get(case_url(case)).status_code == 200


def test_case_list__advisor_sees_a_case_with_several_referrals_once(advisor, caseworker, world):
    services.referral_create(
        household=world.household,
        source=Referral.Source.ARREARS,
        reason="Restanse.",
        lease=world.lease,
        application=world.case,
        by=caseworker,
    )

    response = login(advisor).get(reverse("cases:case-list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(f">{world.case.ref}</a>") == 1


def test_access_report__advisor_and_nav_cannot_open_it(advisor, nav_advisor, world):
    consent(world, "economy")
    url = reverse("finance_advice:access-report", args=[world.case.ref])
    assert login(advisor).get(url).status_code in (403, 404)
    assert login(nav_advisor).get(url).status_code in (403, 404)


# --- caseworker --------------------------------------------------------------------------------------------


def test_referral_list__caseworker_sees_only_referrals_they_made_or_on_their_cases(
    caseworker, colleague, advisor, world
):
    # world.referral: Kari's own, on her case
    pers_own = services.referral_create(
        household=case_for(colleague).household, source="case", reason="Per sin.", by=colleague
    )
    on_karis_case = services.referral_create(
        household=world.household,
        source="intake",
        reason="Rådgjevaren sitt inntak.",
        application=world.case,
        by=advisor,
    )
    karis_lease = LeaseFactory(application=case_for(caseworker), start=dt.date(2026, 1, 1))
    on_karis_lease = services.referral_create(
        household=karis_lease.household, source="arrears", reason="Restanse.", lease=karis_lease, by=colleague
    )

    response = login(caseworker).get(reverse("finance_advice:referral-list") + "?show=all")

    html = response.content.decode()
    for visible in (world.referral, on_karis_case, on_karis_lease):
        assert visible.ref in html
    assert pers_own.ref not in html


def test_referral_detail__caseworker_cannot_open_a_colleagues_referral(caseworker, colleague):
    pers_own = services.referral_create(
        household=case_for(colleague).household, source="case", reason="Per sin.", by=colleague
    )

    response = login(caseworker).get(reverse("finance_advice:referral-detail", args=[pers_own.ref]))

    assert response.status_code == 404
    assert AccessLog.objects.filter(user_id=caseworker.pk, action="denied", section="referral").exists()
    assert login(colleague).get(reverse("finance_advice:referral-detail", args=[pers_own.ref])).status_code == 200


def test_referral_act__caseworker_cannot_move_a_referral(caseworker, world):
    response = login(caseworker).post(
        reverse("finance_advice:referral-act", args=[world.referral.ref]),
        {"form": "transition", "to_status": "accepted"},
    )

    assert response.status_code == 403
    world.referral.refresh_from_db()
    assert world.referral.status == "new"


def test_startlan__caseworker_has_no_access(caseworker, world):
    client = login(caseworker)
    assert client.get(reverse("finance_advice:startlan-list")).status_code == 403
    assert client.get(reverse("finance_advice:startlan-detail", args=[world.startlan.ref])).status_code == 403
    assert StartlanApplication.objects.get().outcome == ""


# --- the access report -------------------------------------------------------------------------------------


def report_rows(html: str) -> list[str]:
    table = html.split('data-testid="access-report"', 1)[1].split("</table>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_access_report__lists_the_reads_of_the_case_by_user_and_role(
    caseworker, colleague, advisor, nav_advisor, world
):
    consent(world, "economy")
    assert login(nav_advisor).get(nav_url(world)).status_code == 200
    assert login(advisor).get(case_url(world.case)).status_code == 200
    other_case = case_for(colleague)
    assert login(colleague).get(case_url(other_case)).status_code == 200

    reader = login(caseworker)
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = reader.get(reverse("finance_advice:access-report", args=[world.case.ref]))

    assert response.status_code == 200
    rows = report_rows(response.content.decode())
    # By name, role and part of the case in words (the report is printed for the person), not codes.
    assert any("Nora Navesen" in row and "NAV advisor" in row and "Shared with NAV: economy" in row for row in rows)
    assert any("Frida Rådgjevar" in row and "Financial advisor" in row for row in rows), rows
    assert not any("Per" in row.split() for row in rows), rows  # Per read another case only
    assert not any(code in " ".join(rows) for code in ("nav_advisor", "financial_advisor", "nav:economy"))


def test_access_report__its_own_reading_is_logged(caseworker, world):
    client = login(caseworker)
    client.get(reverse("finance_advice:access-report", args=[world.case.ref]))

    assert AccessLog.objects.filter(
        user_id=caseworker.pk, case_ref=world.case.ref, section="access_report", action="read"
    ).exists()
