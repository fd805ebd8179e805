"""Benchmarks (`make bench`): key pages, shortlist, reminder sweep, letters, KOSTRA, import.

Runs against its own database (bench_<name>, kept between runs), never the working register.
Server time is measured around Django's test client (the whole request inside Django, no network),
and each page is compared with a bare authenticated view measured in the same run (the framework's
floor on this machine) and with an empty page in the app's frame (navigation, header, footer).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, reset_queries
from django.test import Client
from django.urls import reverse

TODAY = dt.date(2026, 11, 25)


def _timed(fn: Callable, repeat: int) -> dict:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "runs": repeat,
    }


def _free_unit():
    """A free ordinary unit to benchmark the shortlist on (the bench database only: one is freed if none is)."""
    from allocation.models import Unit
    from tenancies.models import Lease

    unit = Unit.objects.filter(status="free", target_group="ordinary").order_by("pk").first()
    if unit is None:
        unit = Unit.objects.filter(target_group="ordinary").order_by("-pk").first()
        Unit.objects.filter(pk=unit.pk).update(status="free", bedrooms=2)
        unit.refresh_from_db()
    # The synthetic world leaves some ended leases without a move-out; a home someone still lives in gets no
    # shortlist, so record the last tenant's move-out at the end of the term.
    for lease in Lease.objects.filter(unit=unit, moved_out__isnull=True, end__isnull=False):
        Lease.objects.filter(pk=lease.pk).update(moved_out=lease.end)
    return unit


def _count_queries(fn: Callable) -> int:
    statements: list[str] = []

    def wrapper(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return len(statements)


def _database_ms(fn: Callable, repeat: int) -> float:
    """Median time a request spends waiting on the database (every statement, from sending it to its rows)."""
    samples = []
    spent = [0.0]

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started

    with connection.execute_wrapper(wrapper):
        for _ in range(repeat):
            spent[0] = 0.0
            fn()
            samples.append(spent[0] * 1000)
    return round(statistics.median(samples), 2)


def _client_for(user) -> Client:
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client()
    device, _ = StaticDevice.objects.get_or_create(user=user, name="bench")
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def bench_pages(repeat: int, log) -> dict:
    from cases.models import Application
    from stord_bolig.demo.users import demo_users_ensure

    users = demo_users_ensure()
    kari = users["kari"]
    # A caseworker's realistic share of a national register (one in forty cases), without history rows.
    import pgtrigger
    from django.db.models.functions import Mod

    with pgtrigger.ignore("cases.Application:update_update"):
        Application.objects.filter(assigned_to__isnull=True).alias(share=Mod("pk", 40)).filter(share=0).update(
            assigned_to=kari
        )
    client = _client_for(kari)
    # The work list reads what the nightly sweep made (131 000 open reminders at national scale, the caseworker's
    # share among them): a world not yet swept would time it on an empty table.
    from tenancies.models import Reminder
    from tenancies.services import reminder_sweep

    if not Reminder.objects.exists():
        reminder_sweep(TODAY)
    # A live register is vacuumed by autovacuum; a world just bulk-loaded (and the update above) is not, and
    # until it is, PostgreSQL cannot answer from an index alone (the visibility map is empty), which made the
    # shortlist and KOSTRA read the tables too. Vacuum once, as autovacuum would have.
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    case = Application.objects.filter(assigned_to=kari, decision__isnull=False).order_by("pk").first()
    unit = _free_unit()
    # As the server's workers do once loaded (stord_bolig/wsgi.py): what exists now is kept out of the garbage
    # collector's scans, so a request pays for collecting only what it made itself.
    gc.collect()
    gc.freeze()
    pages = {
        "bare_view": reverse("bench-bare"),
        "empty_page": reverse("bench-chrome"),
        "work_list": reverse("worklist"),
        "case_page": reverse("cases:case-detail", args=[case.ref]),
        "case_list_filtered": reverse("cases:case-list") + "?status=decided&urgency=A",
        "waiting_list": reverse("allocation:waiting-list"),
        "unit_page": reverse("allocation:unit-detail", args=[unit.ref]),
        # what the unit page loads after itself (htmx): the ranked shortlist and who is left out
        "unit_shortlist": reverse("allocation:unit-shortlist", args=[unit.ref]),
        "lease_list": reverse("tenancies:lease-list"),
    }
    results = {}
    for name, url in pages.items():
        headers = {"HX-Request": "true"} if name == "unit_shortlist" else {}
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (name, response.status_code)
        counted = _count_queries(lambda url=url, headers=headers: client.get(url, headers=headers))
        results[name] = {**_timed(lambda url=url, headers=headers: client.get(url, headers=headers), repeat)}
        results[name]["queries"] = counted
        results[name]["database_ms"] = _database_ms(lambda url=url, h=headers: client.get(url, headers=h), 5)
        log(f"  {name}: {results[name]}")
    manager = _client_for(users["leiv"])
    # The dashboard reads the steering figures kept for the hour (the warm-up request computes them, as beat's
    # hourly run would have); the KOSTRA page computes its year on every request.
    for name, url, times in (
        ("dashboard", reverse("reports:dashboard"), repeat),
        ("kostra_page", reverse("reports:kostra"), max(3, repeat // 5)),
    ):
        assert manager.get(url).status_code == 200, name
        counted = _count_queries(lambda url=url: manager.get(url))
        results[name] = {**_timed(lambda url=url: manager.get(url), times), "queries": counted}
        results[name]["database_ms"] = _database_ms(lambda url=url: manager.get(url), 3)
        log(f"  {name}: {results[name]}")
    floor = results["bare_view"]["median_ms"] or 0.01
    frame = results["empty_page"]["median_ms"] or 0.01
    for row in results.values():
        row["ratio_to_floor"] = round(row["median_ms"] / floor, 2)
        # what the page's database time alone comes to, against the whole floor
        row["database_ratio_to_floor"] = round(row["database_ms"] / floor, 2)
        row["ratio_to_empty_page"] = round(row["median_ms"] / frame, 2)
    return results


def bench_shortlist(repeat: int, log) -> dict:
    """The shortlist as the unit page computes it (first 25 ranks, 50 excluded) and in full."""
    from allocation.querysets import waiting_applications
    from allocation.shortlist_sql import shortlist_sql

    unit = _free_unit()
    waiting = waiting_applications(TODAY).count()
    shortlist_sql(unit, TODAY, limit=1)  # fills the bedroom-need cache, as the nightly use would
    page = _timed(lambda: shortlist_sql(unit, TODAY, limit=25, excluded_limit=50), repeat)
    full = _timed(lambda: shortlist_sql(unit, TODAY), max(3, repeat // 4))
    log(f"  shortlist among {waiting} waiting: page {page}, full {full}")
    return {"waiting": waiting, "page": page, "full": full}


def bench_sweep(sizes: list[int], log) -> dict:
    """The reminder sweep over N leases, on a database holding exactly N synthetic leases."""
    from tenancies.models import Reminder
    from tenancies.services import reminder_sweep

    from .world import add_bare_leases

    results = {}
    for size in sizes:
        add_bare_leases(size)
        Reminder.objects.all().delete()
        started = time.perf_counter()
        first = reminder_sweep(TODAY)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        reminder_sweep(TODAY)
        again_s = time.perf_counter() - started
        results[str(size)] = {
            "first_run_s": round(first_s, 2),
            "steady_run_s": round(again_s, 2),
            "reminders": first["open"],
        }
        log(f"  sweep {size} leases: {results[str(size)]}")
    return results


def bench_letters(repeat: int, log) -> dict:
    from cases.letters import decision_letter_context
    from cases.models import Decision
    from stord_bolig.letters import render_pdf

    decision = Decision.objects.select_related("application").order_by("pk").first()
    context = {**decision_letter_context(decision, "nn"), "title": "Vedtak", "kind_text": "kommunal utleigebustad"}
    render_pdf("cases/letters/decision_nn.html", context)  # warm-up, as a worker that has rendered before
    result = _timed(lambda: render_pdf("cases/letters/decision_nn.html", context), repeat)
    result["letters_per_second_2_workers"] = round(2 * 1000 / result["median_ms"], 1)
    log(f"  decision letter: {result}")
    return result


def bench_kostra(log) -> dict:
    from reports.figures import dashboard
    from reports.kostra_sql import kostra_sql
    from reports.tasks import steering_figures_task

    result = _timed(lambda: kostra_sql(2025), 3)
    result["dashboard_5_years"] = _timed(lambda: dashboard(2021, 2025), 3)
    # beat's hourly run: ten years of steering figures computed and kept for the dashboard
    result["steering_figures_task_10_years"] = _timed(steering_figures_task, 2)
    log(f"  kostra 2025: {result}")
    return result


def scaled_document(households: int) -> dict:
    """The demo's interchange document (reports/demo_data/stord.json) repeated with fresh refs and national ids
    until it holds `households` households: a document of the size a municipality moving its register to the
    system would bring, with the demo's mix of homes, people, cases, offers, leases, arrears and stays."""
    from stord_bolig.demo.identity import synthetic_national_id

    template = json.loads((Path(__file__).parent / "demo_data" / "stord.json").read_text(encoding="utf-8"))
    copies = -(-households // len(template["households"]))
    document = {key: ([] if isinstance(value, list) else value) for key, value in template.items()}
    serials: dict[dt.date, int] = {}
    for copy in range(copies):

        def ref(value, copy=copy):
            return None if value is None else f"{value}-B{copy:03d}"

        for unit in template["units"]:
            document["units"].append({**unit, "ref": ref(unit["ref"]), "matrikkel": ref(unit.get("matrikkel"))})
        for person in template["people"]:
            # each copy's people are born a day earlier than the last copy's; serials from 40 up stay clear of
            # the synthetic world's and the demo's own numbers and within the valid individual numbers
            born = dt.date.fromisoformat(person["birth_date"]) - dt.timedelta(days=copy)
            serials[born] = serials.get(born, 0) + 1
            national_id = synthetic_national_id(born, 40 + serials[born])
            document["people"].append(
                {**person, "ref": ref(person["ref"]), "national_id": national_id, "birth_date": born.isoformat()}
            )
        for household in template["households"]:
            members = [{**member, "person": ref(member["person"])} for member in household["members"]]
            document["households"].append({**household, "ref": ref(household["ref"]), "members": members})
        for application in template["applications"]:
            document["applications"].append(
                {**application, "ref": ref(application["ref"]), "household": ref(application["household"])}
            )
        for offer in template["offers"]:
            document["offers"].append(
                {
                    **offer,
                    "ref": ref(offer["ref"]),
                    "application": ref(offer["application"]),
                    "unit": ref(offer["unit"]),
                }
            )
        for lease in template["leases"]:
            renamed = {key: ref(lease[key]) for key in ("ref", "unit", "household", "application")}
            document["leases"].append({**lease, **renamed})
        for figure in template["arrears"]:
            document["arrears"].append({**figure, "lease": ref(figure["lease"])})
        for stay in template["temporary_stays"]:
            document["temporary_stays"].append({**stay, "household": ref(stay["household"])})
    return document


class _RolledBack(Exception):
    pass


def bench_import(households: int, log) -> dict:
    """Validate and import a document of `households` households in one transaction, then roll it back (the
    bench database keeps its world, and the next run imports the same document into the same register)."""
    from django.db import transaction

    from stord_bolig.interchange.codec import parse_document
    from stord_bolig.interchange.service import records_import

    document = scaled_document(households)
    records = sum(len(value) for value in document.values() if isinstance(value, list))
    started = time.perf_counter()
    parse_document(document)
    validated = time.perf_counter() - started
    try:
        with transaction.atomic():
            started = time.perf_counter()
            imported = records_import(document)
            elapsed = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        pass
    result = {
        "households": len(document["households"]),
        "records": records,
        "validate_s": round(validated, 2),
        "import_s": round(elapsed, 2),
        "records_per_second": round(records / elapsed),
        "created": sum(imported.created.values()),
    }
    log(f"  import of {result['households']} households ({records} records): {result}")
    return result


def machine_speed() -> dict:
    """A fixed pure-Python workload, timed before and after the run: how fast this machine was while the
    numbers were taken (a shared virtual machine can differ by half from one hour to the next)."""

    def work():
        total = 0
        for i in range(1_000_000):
            total += i * i
        return total

    return _timed(work, 5)


def run(*, scale: str, repeat: int, sweep_sizes: list[int], import_households: int = 10_000, log=print) -> dict:
    from allocation.models import Unit

    from .world import generate_world

    results: dict = {"scale": scale, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    if not Unit.objects.exists():
        log(f"generating the {scale} world ...")
        results["generate_world"] = generate_world(scale, today=TODAY, log=log)
    reset_queries()
    results["machine_speed_before"] = machine_speed()
    log(f"machine speed (1 M multiply-adds in Python): {results['machine_speed_before']['median_ms']} ms")
    log("pages:")
    results["pages"] = bench_pages(repeat, log)
    log("shortlist:")
    results["shortlist"] = bench_shortlist(repeat, log)
    log("letters:")
    results["letter_render"] = bench_letters(max(5, repeat // 2), log)
    log("kostra:")
    results["kostra"] = bench_kostra(log)
    log("reminder sweep:")
    results["reminder_sweep"] = bench_sweep(sweep_sizes, log)
    if import_households:
        log("interchange import:")
        results["import"] = bench_import(import_households, log)
    results["machine_speed_after"] = machine_speed()
    out = Path(settings.BASE_DIR) / "bench" / "results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return results
