"""Every URL that takes an id, for every role: allowed or refused (403/404), and anonymous sent to login.

The URL list comes from the resolver, so a view added without an entry in EXPECTED fails this test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from allocation.models import AllocationMeeting
from cases.models import Appeal, Attachment
from finance_advice import services as finance
from finance_advice.models import Consent
from stord_bolig.letters import letter_create, letter_render
from tests.conftest import verified_client
from tests.factories import (
    ApplicationFactory,
    DecisionFactory,
    LeaseFactory,
    OfferFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CASEWORKERS = {"owner", "other"}
# Consent is given to NAV, so every NAV advisor sees a consented case; "nav_none" meets a case without one.
ROLES = ["owner", "other", "advisor", "housing_first", "management", "nav_consent"]

# url name -> (method, roles allowed). Everyone else must get 403 or 404.
EXPECTED = {
    "letter-download": ("get", CASEWORKERS | {"advisor"}),
    "cases:case-detail": ("get", CASEWORKERS | {"advisor"}),
    "cases:assessment-edit": ("get", CASEWORKERS),
    "cases:case-transition": ("post", CASEWORKERS),
    "cases:case-assign": ("post", CASEWORKERS),
    "cases:person-edit": ("get", CASEWORKERS),
    "cases:case-decide": ("get", CASEWORKERS),
    "cases:preliminary-reply": ("get", CASEWORKERS),
    "cases:advance-notice": ("get", CASEWORKERS),
    "cases:decision-notified": ("get", CASEWORKERS),
    "cases:appeal-register": ("get", CASEWORKERS),
    "cases:appeal-handle": ("post", CASEWORKERS),
    "cases:appeal-reverse": ("get", CASEWORKERS),
    "cases:note-add": ("post", CASEWORKERS),
    "cases:attachment-upload": ("post", CASEWORKERS),
    "cases:attachment-download": ("get", CASEWORKERS | {"advisor"}),
    "allocation:unit-detail": ("get", CASEWORKERS | {"management"}),
    "allocation:unit-shortlist": ("get", CASEWORKERS),
    "allocation:offer-make": ("post", CASEWORKERS),
    "allocation:unit-status": ("post", CASEWORKERS),
    "allocation:offer-answer": ("get", CASEWORKERS),
    "allocation:meeting-detail": ("get", CASEWORKERS),
    "tenancies:lease-detail": ("get", CASEWORKERS),
    "tenancies:lease-action": ("post", CASEWORKERS),
    "finance_advice:referral-detail": ("get", {"owner", "advisor"}),
    "finance_advice:referral-act": ("post", {"advisor"}),
    "finance_advice:referral-from-case": ("get", CASEWORKERS | {"advisor"}),
    "finance_advice:referral-from-lease": ("post", CASEWORKERS | {"advisor"}),
    "finance_advice:startlan-detail": ("get", {"advisor"}),
    "finance_advice:consents": ("get", CASEWORKERS),
    "finance_advice:consent-revoke": ("post", CASEWORKERS),
    "finance_advice:access-report": ("get", CASEWORKERS),
    "finance_advice:nav-case": ("get", {"nav_consent"}),
}


def _patterns_with_ids(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or (pattern.namespace or "") == "admin":
                continue
            yield from _patterns_with_ids(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.pattern.converters and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


@pytest.fixture
def world(make_user):
    today = timezone.localdate()
    users = {
        "owner": make_user("caseworker", username="owner"),
        "other": make_user("caseworker", username="other"),
        "advisor": make_user("financial_advisor", username="advisor"),
        "housing_first": make_user("housing_first", username="hf"),
        "management": make_user("management", username="leiar"),
        "nav_consent": make_user("nav_advisor", username="nav1"),
        "nav_none": make_user("nav_advisor", username="nav2"),
    }
    case = ApplicationFactory(assigned_to=users["owner"], status="decided", received=today - dt.timedelta(days=40))
    DecisionFactory(application=case, decided=today - dt.timedelta(days=10), notified=today - dt.timedelta(days=10))
    person = case.household.applicant
    appeal = Appeal.objects.create(application=case, received=today)
    letter, _ = letter_create(
        subject=case,
        kind="test",
        title="Brev",
        template_name="letters/base_letter.html",
        context={"title": "Brev"},
        case_ref=case.ref,
        dedupe_key="matrix:1",
    )
    letter_render(letter.pk)
    attachment = Attachment.objects.create(
        application=case,
        file=ContentFile(b"%PDF-1.4 test", name="a.pdf"),
        original_name="a.pdf",
        content_type="application/pdf",
        size_bytes=13,
    )
    unit = UnitFactory()
    offer = OfferFactory(application=case, unit=UnitFactory(status="offered"), offered=today)
    lease = LeaseFactory(
        household=case.household,
        application=case,
        start=today - dt.timedelta(days=300),
        end=today + dt.timedelta(days=800),
    )
    referral = finance.referral_create(
        household=case.household, source="case", reason="Gjeld.", application=case, by=users["owner"]
    )
    startlan = finance.startlan_register(
        household=case.household,
        referral=referral,
        data={"received": today, "purpose": "buy", "price": 2_000_000, "loan_applied": 1_500_000},
        by=users["advisor"],
    )
    Consent.objects.create(person=person, purpose="economy", given=today - dt.timedelta(days=1))
    revocable = Consent.objects.create(person=person, purpose="followup", given=today - dt.timedelta(days=1))
    meeting = AllocationMeeting.objects.create(held_on=today)
    args = {
        "letter-download": [letter.pk],
        "cases:person-edit": [case.ref, person.ref],
        "cases:appeal-handle": [case.ref, appeal.pk],
        "cases:appeal-reverse": [case.ref, appeal.pk],
        "cases:attachment-download": [case.ref, attachment.pk],
        "allocation:unit-detail": [unit.ref],
        "allocation:unit-shortlist": [unit.ref],
        "allocation:offer-make": [unit.ref],
        "allocation:unit-status": [unit.ref],
        "allocation:offer-answer": [offer.ref],
        "allocation:meeting-detail": [meeting.pk],
        "tenancies:lease-detail": [lease.ref],
        "tenancies:lease-action": [lease.ref],
        "finance_advice:referral-detail": [referral.ref],
        "finance_advice:referral-act": [referral.ref],
        "finance_advice:referral-from-lease": [lease.ref],
        "finance_advice:startlan-detail": [startlan.ref],
        "finance_advice:consent-revoke": [case.ref, revocable.pk],
    }
    # Harmless posts: each is refused by its service or form for allowed users, so nothing changes.
    data = {
        "cases:case-transition": {"to": "registered"},
        "cases:appeal-handle": {"action": "upheld"},
        "allocation:offer-make": {"application": case.ref},
        "allocation:unit-status": {"status": "free"},
        "tenancies:lease-action": {"form": "date"},
        "finance_advice:referral-act": {"form": "transition"},
    }
    return {"users": users, "case": case, "args": args, "data": data}


def _url(world, name):
    return reverse(name, args=world["args"].get(name, [world["case"].ref]))


def test_access_matrix__every_url_with_an_id_is_listed():
    assert set(_patterns_with_ids()) == set(EXPECTED)


def test_access_matrix__each_role_gets_exactly_what_it_should(client, world):
    failures = []
    for role in ROLES:
        browser = verified_client(client, world["users"][role])
        for name, (method, allowed) in EXPECTED.items():
            url = _url(world, name)
            response = getattr(browser, method)(url, world["data"].get(name, {}))
            refused = response.status_code in (403, 404)
            if (role in allowed) == refused:
                failures.append((role, name, response.status_code))
        client.logout()
    assert not failures, failures


def test_access_matrix__nav_without_consent_sees_no_case_at_all(client, world):
    other_case = ApplicationFactory(status="decided")
    browser = verified_client(client, world["users"]["nav_none"])
    assert browser.get(reverse("finance_advice:nav-case", args=[other_case.ref])).status_code == 404
    for name, (method, _allowed) in EXPECTED.items():
        if name in world["args"] and name != "finance_advice:nav-case":
            continue
        url = reverse(name, args=[other_case.ref]) if name.startswith(("cases:", "finance_advice:")) else None
        if url is None or name in ("cases:person-edit", "cases:appeal-handle", "cases:attachment-download"):
            continue
        response = getattr(browser, method)(url, world["data"].get(name, {}))
        assert response.status_code in (403, 404), (name, response.status_code)


def test_access_matrix__anonymous_is_sent_to_login(client, world):
    for name, (method, _allowed) in EXPECTED.items():
        response = getattr(client, method)(_url(world, name), world["data"].get(name, {}))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_access_matrix__a_deactivated_caseworker_is_refused(client, world):
    owner = world["users"]["owner"]
    browser = verified_client(client, owner)
    owner.is_active = False
    owner.save()
    response = browser.get(_url(world, "cases:case-detail"))
    assert response.status_code == 302


def test_access_matrix__a_user_without_a_role_sees_nothing(client, world):
    browser = verified_client(client, UserFactory(username="nobody"))
    for name, (method, _allowed) in EXPECTED.items():
        response = getattr(browser, method)(_url(world, name), world["data"].get(name, {}))
        assert response.status_code in (403, 404), (name, response.status_code)
