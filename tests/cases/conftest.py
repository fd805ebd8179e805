"""Fixtures and helpers for the cases tests: a fixed "today", synthetic people, cases in each state."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import tempfile
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import services
from cases.models import Application
from stord_bolig.demo.identity import synthetic_national_id

OSLO = ZoneInfo("Europe/Oslo")
TODAY = dt.date(2026, 11, 25)  # a Wednesday; every test in this folder runs on it unless it travels elsewhere

_serials = itertools.count()


def national_id(birth_date: dt.date, *, d_number: bool = False) -> str:
    """A fresh valid synthetic fødselsnummer (or D-nummer) for `birth_date`, never handed out twice in a run."""
    return synthetic_national_id(birth_date, next(_serials) % 40, d_number=d_number)


def fresh_id(birth_date: dt.date, **kwargs) -> str:
    """Like national_id, but also skips numbers somebody already has in the database."""
    from cases.models import Person

    while True:
        number = national_id(birth_date, **kwargs)
        if not Person.objects.filter(national_id=number).exists():
            return number


def invalid_national_id(birth_date: dt.date = dt.date(1980, 3, 14)) -> str:
    """A valid number with its last check digit changed."""
    number = synthetic_national_id(birth_date, 0)
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def applicant_data(**overrides) -> dict:
    data = {
        "national_id": fresh_id(dt.date(1980, 3, 14)),
        "given_name": "Solveig",
        "family_name": "Testesen",
        "address": "Hamnegata 4",
        "postcode": "5411",
        "city": "Stord",
    }
    data.update(overrides)
    return data


def member_data(role: str, birth_date: dt.date, **overrides) -> dict:
    data = {"role": role, "national_id": fresh_id(birth_date), "given_name": "Medlem", "family_name": "Testesen"}
    data.update(overrides)
    return data


def register(by, *, kind: str = "municipal_housing", received: dt.date = dt.date(2026, 10, 1), members=(), **applicant):
    return services.application_register(
        applicant=applicant_data(**applicant), members=list(members), kind=kind, received=received, by=by
    )


def assess(
    application,
    by,
    *,
    recommendation: str = "municipal_housing",
    housing_situation: str = "own_rented",
    urgency: str = "C",
    urgency_reason: str = "",
    health: dict | None = None,
    **data,
):
    return services.assessment_save(
        application=application,
        data={"recommendation": recommendation, "housing_situation": housing_situation, **data},
        health=health,
        urgency=urgency,
        urgency_reason=urgency_reason,
        by=by,
    )


def make_ready(by, **register_kwargs) -> Application:
    """A registered, assessed case, ready for decision."""
    application = register(by, **register_kwargs)
    assess(application, by)
    services.assessment_complete(application=application, by=by)
    application.refresh_from_db()
    return application


def decide(application, by, *, outcome: str = "granted", decided: dt.date = TODAY, notified=None, **kwargs):
    values = {
        "legal_basis": "",
        "facts": "Søkjaren bur i dag mellombels hos venner.",
        "assessment": "Bustadkontoret meiner behovet er dokumentert.",
    }
    values.update(kwargs)
    return services.application_decide(
        application=application, outcome=outcome, decided=decided, notified=notified, by=by, **values
    )


def pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        result = subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture(autouse=True)
def _today():
    """Pin the clock so legal dates and letter texts are the same on every run."""
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, tzinfo=OSLO), tick=True) as traveller:
        yield traveller
