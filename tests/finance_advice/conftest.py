"""Helpers for the financial-advice service, access and view tests: a pinned day, the people, cases and leases.

Nothing here is autouse, so the pure rule tests in this folder are unaffected; the other modules opt in with
`pytestmark = pytest.mark.usefixtures("pinned_today")` (today is Wednesday 25 Nov 2026 in Oslo).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from cases.models import Application
from stord_bolig.models import Letter
from tenancies.models import Lease
from tests.allocation.conftest import DAY, OSLO, TODAY, pinned_today  # noqa: F401 - re-exported
from tests.cases.conftest import pdf_text
from tests.conftest import verified_client
from tests.factories import ApplicationFactory, ArrearsFigureFactory, LeaseFactory


@pytest.fixture
def advisor(make_user):
    return make_user("financial_advisor", username="frida", first_name="Frida", last_name="Rådgjevar")


@pytest.fixture
def nav_advisor(make_user):
    return make_user("nav_advisor", username="nora", first_name="Nora", last_name="Navesen")


@pytest.fixture
def colleague(make_user):
    return make_user("caseworker", username="per", first_name="Per", last_name="Kollega")


def login(user) -> Client:
    """A fresh client for `user`, past the second factor (several people can act in one test)."""
    return verified_client(Client(), user)


def case_for(caseworker, **fields) -> Application:
    """A registered case assigned to `caseworker`; the household has an applicant."""
    return ApplicationFactory(assigned_to=caseworker, **fields)


def lease_in_arrears(caseworker, *, arrears=((dt.date(2026, 10, 31), 9000),), rent: int = 9000) -> Lease:
    """An active lease of a case assigned to `caseworker`, with the given arrears figures (as_of, amount).

    The circulation review was done on 1 Nov 2026, so the only lease reminder on 25 Nov is about arrears.
    """
    application = case_for(caseworker)
    lease = LeaseFactory(
        application=application,
        household=application.household,
        start=dt.date(2026, 1, 1),
        monthly_rent=rent,
        last_circulation_review=dt.date(2026, 11, 1),
    )
    for as_of, amount in arrears:
        ArrearsFigureFactory(lease=lease, as_of=as_of, amount=amount)
    return lease


def letter_text(letter: Letter) -> str:
    """The rendered PDF's text as one line (runs of white space, line breaks included, as one space)."""
    letter.refresh_from_db()
    assert letter.status == Letter.Status.RENDERED, letter.error
    with letter.pdf.open("rb") as handle:
        return " ".join(pdf_text(handle.read()).split())
