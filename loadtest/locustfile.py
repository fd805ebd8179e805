"""A caseworker's day, compressed: log in (password + backup code), then case after case:
work list -> case page -> needs assessment (saved and marked ready) -> decision -> the decision letter.

Every form is the real one: the page is fetched, its fields are read with their current values (CSRF token
included), and only what a caseworker types or chooses is changed. Each simulated user logs in as its own
load account (`loadtest/run.py` writes them to LOAD_USERS_FILE) and works only on the cases assigned to it.
The journey follows the case's state, so after an error (the fault test restarts servers under it) the next
iteration picks the case up where it is.

Environment: LOAD_USERS_FILE (accounts, required), LOAD_SAMPLES_FILE (every request's name, time and outcome
are written there at the end), LOAD_THINK ("min,max" seconds between pages, default "3,10"),
LOAD_LETTER_WAIT (seconds a rendered letter may take, default 30), LOAD_FIRST_ACCOUNT (the first account of the
file this run uses, default 0: a second run in the same test takes accounts the first did not log in with).
"""

from __future__ import annotations

import json
import os
import random
import resource
import time
from itertools import count

import gevent
from locust import HttpUser, events, task

from loadtest.pages import letter_links, parse

THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "3,10").split(","))
LETTER_WAIT = float(os.environ.get("LOAD_LETTER_WAIT", "30"))
ACCOUNTS = json.loads(open(os.environ["LOAD_USERS_FILE"], encoding="utf-8").read())["users"]  # noqa: SIM115, PTH123
_next_account = count(int(os.environ.get("LOAD_FIRST_ACCOUNT", "0")))
SAMPLES: list[list] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, start_time=None, **kwargs):
    SAMPLES.append([name, round(response_time, 2), exception is None, round(start_time or time.time(), 3)])


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    target = os.environ.get("LOAD_SAMPLES_FILE")
    if target:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open(target, "w", encoding="utf-8") as handle:  # noqa: PTH123
            json.dump({"samples": SAMPLES, "cpu_s": round(usage.ru_utime + usage.ru_stime, 1)}, handle)


class JourneyError(Exception):
    """A step did not end as a caseworker would expect; the failure is already recorded."""


class Caseworker(HttpUser):
    def wait_time(self):
        return random.uniform(*THINK)  # noqa: S311 - think time, not security  # nosec B311

    def on_start(self):
        index = next(_next_account)
        if index >= len(ACCOUNTS):
            raise RuntimeError(f"only {len(ACCOUNTS)} load accounts were prepared; run with fewer users")
        self.account = ACCOUNTS[index]
        self.cases = list(self.account["cases"])
        self.tokens = list(self.account["tokens"])
        self.logged_in = False

    # --- helpers -------------------------------------------------------------------------------------------

    def think(self):
        gevent.sleep(random.uniform(*THINK))  # noqa: S311 - think time, not security  # nosec B311

    def get(self, path: str, name: str, *, expect_text: str | None = None, login: bool = False):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {name}: {response.error or response.reason}")
                raise JourneyError(name)
            if "/login/" in response.url and not login:
                self.logged_in = False
                response.failure(f"{name}: sent to the login page")
                raise JourneyError(name)
            if expect_text is not None and expect_text not in response.text:
                response.failure(f"{name}: {expect_text!r} missing")
                raise JourneyError(name)
            return response

    def post(self, path: str, data: dict, name: str) -> str:
        """Submit a form; success is a redirect (Post/Redirect/Get). Returns where it redirects to."""
        with self.client.post(path, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code not in (302, 303):
                detail = "form errors" if response.status_code == 200 else f"{response.status_code} {response.error}"
                response.failure(f"{name}: {detail}")
                raise JourneyError(name)
            return response.headers.get("Location", "/")

    def login(self):
        if not self.tokens:
            raise RuntimeError(f"{self.account['username']} has no backup codes left")
        page = parse(self.get("/login/", "login page", login=True).text)
        form = page.form_with("username")
        self.think()
        target = self.post(
            "/login/",
            form.data(username=self.account["username"], password=self.account["password"]),
            "login",
        )
        # The two-factor middleware sends a password-only session to the code form.
        response = self.get(target, "2fa page", login=True)
        form = parse(response.text).form_with("token")
        if form is None:
            raise JourneyError("2fa page without a code form")
        self.think()
        self.post(response.url, form.data(token=self.tokens.pop(0)), "2fa")
        self.logged_in = True

    # --- the journey ---------------------------------------------------------------------------------------

    @task
    def journey(self):
        try:
            if not self.logged_in:
                self.login()
                self.think()
            if not self.cases:
                # Every case of this account is decided: the rest of the run is reading the work list.
                self.get("/", "work list")
                return
            self.work_case(self.cases[0])
        except JourneyError:
            return

    def work_case(self, ref: str):
        case_url = f"/cases/{ref}/"
        self.get("/", "work list")
        self.think()
        case = parse(self.get(case_url, "case page", expect_text=ref).text)
        if not case.has("decision-outcome") and case.link("decide-link") is None:
            self.think()
            self.assess(case_url)
            self.think()
            case = parse(self.get(case_url, "case page", expect_text=ref).text)
        if not case.has("decision-outcome"):
            if case.link("decide-link") is None:
                raise JourneyError("no decide link after the assessment")
            self.think()
            self.decide(case_url)
        self.think()
        self.read_letter(case_url)
        self.cases.pop(0)

    def assess(self, case_url: str):
        url = f"{case_url}assessment/"
        page = parse(self.get(url, "assessment form").text)
        form = page.form_with("complete")
        if form is None:
            raise JourneyError("assessment page without its form")
        suggested = (page.hints.get("id_urgency_helptext") or "").rstrip(". ")[-1:]
        changes = {
            "housing_notes": "Bur mellombels hjå ein ven; må flytte innan ein månad.",
            "monthly_income": str(random.randrange(12000, 32000, 500)),  # noqa: S311 - synthetic data  # nosec B311
            "income_sources": "Arbeidsavklaringspengar",
            "followup_needs": "Oppfølging dei første tre månadene.",
            "own_goals": "Eg vil ha ein trygg stad å bu nær jobben.",
            "recommendation": "municipal_housing",
            "recommendation_reason": "Kan ikkje skaffe seg bustad sjølv.",
        }
        # A first assessment has no housing situation or main reason chosen: a caseworker picks them (the band
        # suggested on the page was worked out before, so a reason goes with the band in case they differ).
        current = form.data()
        for name in ("housing_situation", "main_reason"):
            if not current.get(name):
                changes[name] = next(value for value in form.options.get(name, []) if value)
        if suggested in form.options.get("urgency", []):
            changes["urgency"] = suggested
        changes["urgency_reason"] = "Sett av sakshandsamar etter samtale med søkjaren."
        self.post(url, form.data(button="complete", **changes), "assessment save")

    def decide(self, case_url: str):
        url = f"{case_url}decide/"
        page = parse(self.get(url, "decision form").text)
        form = page.form_with("facts")
        if form is None:
            raise JourneyError("decision page without its form")
        changes = {
            "outcome": "granted" if random.random() < 0.8 else "refused",  # noqa: S311 - synthetic  # nosec B311
            "facts": "Søkjaren bur mellombels hjå ein ven og har ikkje eigen bustad.",
            "assessment": "Husstanden kan ikkje skaffe seg bustad sjølv og fyller vilkåra.",
            "home_description": "Leilegheit med 1 soverom",
            "lease_years": "3",
        }
        self.post(url, form.data(**changes), "decision save")

    def read_letter(self, case_url: str):
        """The case page lists the decision letter once the worker has rendered it; then it is opened."""
        deadline = time.monotonic() + LETTER_WAIT
        name = "case page"
        while True:
            response = self.get(case_url, name)
            links = letter_links(response.text)
            if links:
                break
            if time.monotonic() > deadline:
                events.request.fire(
                    request_type="LETTER",
                    name="letter rendered",
                    response_time=LETTER_WAIT * 1000,
                    response_length=0,
                    exception=JourneyError(f"no rendered letter after {LETTER_WAIT:.0f} s"),
                    context={},
                )
                raise JourneyError("letter")
            name = "case page (waiting for letter)"
            gevent.sleep(1)
        self.think()
        with self.client.get(links[0], name="letter download", catch_response=True) as letter:
            if letter.status_code != 200 or not letter.content.startswith(b"%PDF-"):
                letter.failure(f"letter download: {letter.status_code} {letter.error or ''}")
                raise JourneyError("letter download")
