"""Where a journey page spends its time, one request at a time (no queueing): `python -m loadtest.profile`.

    python -m loadtest.profile [--scale national] [--repeat 10] [--top 12]

Runs on the load database (`load_<scale>`, prepared by `python -m loadtest.run`) through Django's test client
as one load account: the work list, a case page, the needs assessment (form and save), the decision (form
and save), and the letter download. Per page: median wall time, SQL statements and the time spent in them,
and the functions with the most time of their own (cProfile), so a slow page shows what to look at first.
Letters are rendered apart from the decision (as the worker does), so "decision save" is the request alone.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from unittest import mock


def _client_for(user):
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client()
    device = StaticDevice.objects.filter(user=user).first()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


class SqlMeter:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


# Cumulative time of these functions in the profiled calls (profiling inflates them alike).
BREAKDOWN = {
    "whole request": lambda path, func: path.endswith("django/test/client.py") and func == "request",
    "template rendering": lambda path, func: path.endswith("django/template/backends/django.py") and func == "render",
    "crispy forms": lambda path, func: "crispy_forms/templatetags" in path and func in ("render", "as_crispy_form"),
    "SQL (psycopg execute)": lambda path, func: path.endswith("psycopg/cursor.py") and func == "execute",
}


def measure(name: str, timed: list[Callable], profiled: list[Callable], top: int) -> dict:
    """Median wall time and SQL over the `timed` calls; the hot functions from the `profiled` calls (run apart,
    as profiling slows Python down). A call that writes gets its own case."""
    from django.db import connection

    walls, queries, sql_ms = [], [], []
    for call in timed:
        meter = SqlMeter()
        with connection.execute_wrapper(meter):
            started = time.perf_counter()
            response = call()
            walls.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (name, response.status_code)
        queries.append(meter.count)
        sql_ms.append(meter.seconds * 1000)
    profiler = cProfile.Profile()
    for call in profiled:
        profiler.enable()
        call()
        profiler.disable()
    stats = pstats.Stats(profiler)
    breakdown = {
        label: round(
            max(
                (cum for (path, _line, func), (_cc, _n, _tt, cum, _callers) in stats.stats.items() if test(path, func)),
                default=0.0,
            )
            * 1000
            / len(profiled),
            1,
        )
        for label, test in BREAKDOWN.items()
    }
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    hot = [
        {
            "function": f"{os.path.relpath(path) if path.startswith('/') else path}:{line}({func})",
            "own_ms_per_request": round(tottime * 1000 / len(profiled), 2),
            "calls_per_request": round(ncalls / len(profiled), 1),
        }
        for (path, line, func), (_cc, ncalls, tottime, _cum, _callers) in rows
    ]
    return {
        "median_ms": round(statistics.median(walls), 1),
        "max_ms": round(max(walls), 1),
        "queries": round(statistics.median(queries)),
        "sql_ms": round(statistics.median(sql_ms), 1),
        "runs": len(timed),
        "profiled_ms": breakdown,
        "hot": hot,
    }


def run(scale: str, repeat: int, top: int) -> dict:
    from django.conf import settings
    from django.db import connection

    from cases.models import Application, Status
    from stord_bolig.letters import letter_render
    from stord_bolig.models import Letter, User

    connection.close()
    connection.settings_dict["NAME"] = f"load_{scale}"
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = User.objects.get(username="load00")
    client = _client_for(user)
    # load00's own cases to write on (the runner's accounts load01.. keep theirs); registered for this profile.
    from . import seed

    refs = seed.journey_cases_ensure([user], 2 * repeat)[user.username]
    cases = [ref for ref in refs if Application.objects.get(ref=ref).status == Status.REGISTERED][: 2 * repeat]
    timed, profiled = cases[:repeat], cases[repeat:]
    read_case = cases[0]

    def get(url):
        return lambda: client.get(url)

    def assessment_post(ref):
        data = {
            "housing_situation": "homeless_2",
            "main_reason": "other",
            "target_group": "ordinary",
            "urgency": "A",
            "housing_notes": "Bur mellombels hjå ein ven.",
            "own_goals": "Ein trygg stad å bu.",
            "recommendation": "municipal_housing",
            "complete": "1",
        }
        return lambda: client.post(f"/cases/{ref}/assessment/", data)

    def decision_post(ref):
        from django.utils import timezone

        today = timezone.localdate().isoformat()
        data = {
            "outcome": "granted",
            "decided": today,
            "notified": today,
            "legal_basis": "Bustadsosiallova § 5",
            "facts": "Søkjaren bur mellombels hjå ein ven.",
            "assessment": "Fyller vilkåra.",
            "home_description": "Leilegheit",
            "lease_years": "3",
            "language": "nn",
        }
        return lambda: client.post(f"/cases/{ref}/decide/", data)

    def reads(url):
        return [get(url)] * repeat, [get(url)] * repeat

    results = {}
    results["work list"] = measure("work list", *reads("/"), top)
    results["case page"] = measure("case page", *reads(f"/cases/{read_case}/"), top)
    results["assessment form"] = measure("assessment form", *reads(f"/cases/{read_case}/assessment/"), top)
    results["assessment save"] = measure(
        "assessment save", [assessment_post(r) for r in timed], [assessment_post(r) for r in profiled], top
    )
    results["decision form"] = measure("decision form", *reads(f"/cases/{read_case}/decide/"), top)
    with mock.patch("stord_bolig.tasks.letter_render_task.delay"):
        results["decision save"] = measure(
            "decision save", [decision_post(r) for r in timed], [decision_post(r) for r in profiled], top
        )
    letters = list(Letter.objects.filter(case_ref__in=cases, status=Letter.Status.QUEUED))
    started = time.perf_counter()
    for letter in letters:
        letter_render(letter.pk)
    results["letter render (worker)"] = {
        "median_ms": round((time.perf_counter() - started) * 1000 / max(len(letters), 1), 1),
        "runs": len(letters),
    }
    letter = Letter.objects.filter(case_ref__in=cases, status=Letter.Status.RENDERED).first()
    results["letter download"] = measure("letter download", *reads(f"/letters/{letter.pk}/"), top)
    results["case page (decided)"] = measure("case page (decided)", *reads(f"/cases/{cases[0]}/"), top)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="national", choices=["tiny", "stord", "oslo", "national"])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stord_bolig.settings")
    os.environ.setdefault("STORD_TESTING", "1")
    import django

    django.setup()
    results = run(args.scale, args.repeat, args.top)
    for page, row in results.items():
        sql = f", {row['queries']} queries, {row['sql_ms']} ms in SQL" if "queries" in row else ""
        print(f"{page}: median {row['median_ms']} ms{sql}")
        if row.get("profiled_ms"):
            print("    profiled: " + ", ".join(f"{k} {v} ms" for k, v in row["profiled_ms"].items()))
        for item in row.get("hot", []):
            print(f"    {item['own_ms_per_request']:>7} ms  x{item['calls_per_request']:<8} {item['function']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
