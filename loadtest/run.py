"""`make load`: a bounded load test of the caseworker journey against gunicorn on 127.0.0.1.

    python -m loadtest.run [--users 50] [--spawn-rate 10] [--duration 2m] [--scale national]

1. The database `load_<scale>` on the configured server (kept between runs, like the benchmarks'
   `bench_<scale>`): migrated, a generated world, load accounts with fresh backup codes and cases to work on.
2. gunicorn (production settings over plain HTTP on the loopback) and a Celery worker that renders letters.
3. locust, headless, for the given users and time (`loadtest/locustfile.py`).
4. Everything it started is stopped; per-step p50/p95/p99 and error rate (as the client saw them, and the
   time inside gunicorn), letters and CPU use are printed and written to bench/load.json. The exit status is 1
   when the budget is missed: journey p95 <= 300 ms, p99 <= 1 s, no failed request.

`--prepare-only` does step 1 and writes what a caller needs (the load database's URL, the accounts file) to
`--state`: the fault test (tests/faults) starts its own servers around the same world and locustfile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_WORK_DIR = BASE_DIR / "var" / "load"
LOAD_PASSWORD = "Last-test-2026-ikkje-ekte"  # noqa: S105 - synthetic load accounts in the load database only  # nosec B105


def _seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+)([smh]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text} (e.g. 90s, 2m)")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m loadtest.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated caseworkers (default 50)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second (default 10)")
    parser.add_argument("--duration", type=_seconds, default=120, help="run time, e.g. 90s or 2m (default 2m)")
    parser.add_argument("--scale", default="national", choices=["tiny", "stord", "oslo", "national"])
    parser.add_argument(
        "--think",
        default="3,10",
        help="seconds between pages, min,max (default 3,10: a brisk caseworker; 1,3 is a stress test)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2: gthread)")
    parser.add_argument("--celery-concurrency", type=int, default=1)
    parser.add_argument("--caseload", type=int, default=100, help="world cases assigned to each load account")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--out", type=Path, default=BASE_DIR / "bench" / "load.json")
    parser.add_argument("--prepare-only", action="store_true", help="prepare the database and accounts, then stop")
    parser.add_argument("--state", type=Path, help="with --prepare-only: write the database URL and files here")
    parser.add_argument(
        "--testing-settings",
        action="store_true",
        help="serve with the test settings (fast password hashing, no collected static files)",
    )
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, flush=True)


def database_url(settings_dict: dict) -> str:
    host = settings_dict.get("HOST") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    user = quote(settings_dict.get("USER") or "postgres", safe="")
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{quote(host, safe='')}{port}/{settings_dict['NAME']}"


def prepare(args: argparse.Namespace) -> dict:
    """The load database with its world, accounts and cases; returns what the servers and locust need."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from allocation.models import Unit
    from reports.world import generate_world

    from . import seed

    timings = {}
    started = time.perf_counter()
    name = f"load_{args.scale}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    # keepdb: created and migrated once, then reused (drop the database to start from a fresh world).
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    timings["database_s"] = round(time.perf_counter() - started, 1)
    if not Unit.objects.exists():
        log(f"generating the {args.scale} world in {name} (once; later runs reuse it) ...")
        started = time.perf_counter()
        with transaction.atomic():
            # Foreign keys are checked at once, not at commit: generate_world re-enables the waiting-list
            # triggers inside its transaction, which PostgreSQL refuses while deferred checks are pending.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            generate_world(args.scale, today=timezone.localdate(), log=log)
        timings["generate_world_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    hasher = "md5" if args.testing_settings else "pbkdf2_sha256"
    tokens = 10
    # load00 warms the server up before the measured run; load01.. are the simulated caseworkers.
    everyone = seed.accounts_ensure(range(args.users + 1), password=LOAD_PASSWORD, hasher=hasher, tokens=tokens)
    warm, users = everyone[0], everyone[1:]
    if seed.caseload_ensure(everyone, args.caseload):
        from tenancies.services import reminder_sweep

        # The work lists show reminders; the nightly sweep assigns them to the new caseloads' owners.
        reminder_sweep(timezone.localdate())
    think_min = float(args.think.split(",")[0])
    per_user = max(10, int(args.duration / max(8 * think_min, 4)) + 5)
    cases = seed.journey_cases_ensure(users, per_user)
    timings["accounts_and_cases_s"] = round(time.perf_counter() - started, 1)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    users_file = args.work_dir / "users.json"
    users_file.touch(mode=0o600)
    users_file.chmod(0o600)
    users_file.write_text(
        json.dumps(
            {
                "users": [
                    {
                        "username": u.username,
                        "password": LOAD_PASSWORD,
                        "tokens": u.load_codes,
                        "cases": cases[u.username],
                    }
                    for u in users
                ]
            }
        )
    )
    from cases.models import Application

    # Any case of the world will do: the warm-up only reads its pages.
    warm_case = Application.objects.exclude(ref__contains="-L").order_by("pk").values_list("ref", flat=True).first()
    warm_file = args.work_dir / "warmup.json"
    warm_file.touch(mode=0o600)
    warm_file.chmod(0o600)
    warm_file.write_text(
        json.dumps({"username": warm.username, "password": LOAD_PASSWORD, "tokens": warm.load_codes, "case": warm_case})
    )
    log(f"{name}: {len(users)} accounts, {sum(len(c) for c in cases.values())} open journey cases")
    return {
        "database_url": database_url(connection.settings_dict),
        "redis_url": settings.REDIS_URL,
        "users_file": str(users_file),
        "warmup_file": str(warm_file),
        "timings": timings,
    }


def _static_stamp() -> str:
    """A digest of every static file's name and content (not its mtime: a fresh checkout changes nothing)."""
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            digest.update(path.encode() + b"\0" + Path(storage.path(path)).read_bytes())
    return digest.hexdigest()


def collect_static(env: dict[str, str], static_root: Path) -> None:
    """Production settings serve hashed static files; collect them when the sources changed (slow: ~1.5 min)."""
    stamp_file = static_root / ".stamp"
    stamp = _static_stamp()
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return
    log("collecting static files for the production settings (once per change of static files) ...")
    subprocess.run(  # noqa: S603 - fixed argv  # nosec B603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, cwd=BASE_DIR, check=True
    )
    stamp_file.write_text(stamp)


class CpuMeter:
    """CPU seconds used by each process group of the run (and the machine) between start and stop."""

    def __init__(self, groups: dict[str, callable]):
        self.groups = groups
        self.before: dict[str, dict[int, float]] = {}

    @staticmethod
    def _cpu(processes) -> dict[int, float]:
        import psutil

        usage = {}
        for proc in processes:
            try:
                times = proc.cpu_times()
                usage[proc.pid] = times.user + times.system
            except psutil.Error:
                continue
        return usage

    def start(self) -> None:
        import psutil

        self.machine_before = psutil.cpu_times()
        self.wall = time.monotonic()
        self.before = {name: self._cpu(find()) for name, find in self.groups.items()}

    def stop(self) -> dict:
        import psutil

        wall = time.monotonic() - self.wall
        result = {}
        for name, find in self.groups.items():
            after = self._cpu(find())
            used = sum(seconds - self.before[name].get(pid, 0.0) for pid, seconds in after.items())
            result[name] = {"cpu_s": round(used, 1), "cores": round(used / wall, 2)}
        machine = psutil.cpu_times()
        busy = sum(
            getattr(machine, f) - getattr(self.machine_before, f) for f in ("user", "system", "nice", "irq", "softirq")
        )
        total = sum(machine) - sum(self.machine_before)
        result["machine"] = {
            "busy_percent": round(100 * busy / total, 1) if total else 0.0,
            "cpus": os.cpu_count(),
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        }
        result["wall_s"] = round(wall, 1)
        return result


def _tree(process):
    import psutil

    def find():
        if process is None or process.process is None:
            return []
        try:
            root = psutil.Process(process.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    return find


def _postgres_processes(database_url_: str):
    """The processes of the PostgreSQL server behind the URL, when it is the embedded one (socket dir = pgdata)."""
    import psutil
    from django.conf import settings

    host = settings.DATABASES["default"].get("HOST") or ""
    pidfile = Path(host) / "postmaster.pid" if host.startswith("/") else None

    def find():
        if pidfile is None or not pidfile.exists():
            return []
        try:
            root = psutil.Process(int(pidfile.read_text().split()[0]))
            return [root, *root.children(recursive=True)]
        except (psutil.Error, ValueError, IndexError):
            return []

    return find


def letters_summary(since: dt.datetime) -> dict:
    from stord_bolig.models import Letter

    letters = list(Letter.objects.filter(created_at__gte=since).values_list("status", "created_at", "rendered_at"))
    latency = sorted(
        (rendered - created).total_seconds() * 1000 for status, created, rendered in letters if rendered is not None
    )
    from .stats import percentile

    return {
        "created": len(letters),
        "rendered": sum(1 for status, *_ in letters if status == "rendered"),
        "queued": sum(1 for status, *_ in letters if status == "queued"),
        "failed": sum(1 for status, *_ in letters if status == "failed"),
        "render_latency_p50_ms": round(percentile(latency, 50), 1),
        "render_latency_p95_ms": round(percentile(latency, 95), 1),
        "render_latency_max_ms": round(latency[-1], 1) if latency else 0.0,
    }


def wait_for_letters(since: dt.datetime, timeout: float) -> None:
    from django.db import connection

    from stord_bolig.models import Letter

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Letter.objects.filter(created_at__gte=since, status="queued").exists():
            return
        time.sleep(0.5)
        connection.close()


def warm_up(base_url: str, account: dict, *, parallel: int, rounds: int = 3) -> None:
    """Before measuring: every gunicorn worker has imported the views and read the templates once.

    One account logs in through the forms, then the journey's pages are fetched in parallel on fresh
    connections (so they spread over the workers). Nothing is written except the login."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from .pages import parse

    session = requests.Session()
    form = parse(session.get(f"{base_url}/login/", timeout=30).text).form_with("username")
    response = session.post(
        f"{base_url}/login/", data=form.data(username=account["username"], password=account["password"]), timeout=30
    )
    form = parse(response.text).form_with("token")
    session.post(response.url, data=form.data(token=account["tokens"][0]), timeout=30)
    case = account["case"]
    paths = ["/", f"/cases/{case}/", f"/cases/{case}/assessment/", f"/cases/{case}/decide/", "/login/"]

    def fetch(path):
        return session.get(f"{base_url}{path}", headers={"Connection": "close"}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        codes = list(pool.map(fetch, paths * parallel * rounds))
    if any(code != 200 for code in codes):
        raise RuntimeError(f"warm-up: pages answered {sorted(set(codes))}")


def locust_command(
    *, users: int, spawn_rate: float, duration: int, host: str, csv_prefix: Path, stop_timeout: int = 10
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(BASE_DIR / "loadtest" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{duration}s",
        "--host",
        host,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--stop-timeout",
        str(stop_timeout),
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]


def locust_env(*, users_file: str, samples_file: Path, think: str) -> dict[str, str]:
    return {
        **os.environ,
        "LOAD_USERS_FILE": users_file,
        "LOAD_SAMPLES_FILE": str(samples_file),
        "LOAD_THINK": think,
        "PYTHONPATH": str(BASE_DIR),
    }


def run(args: argparse.Namespace) -> int:
    from django.db import connection
    from django.utils import timezone

    from . import servers, stats

    state = prepare(args)
    if args.prepare_only:
        if args.state:
            args.state.write_text(json.dumps(state))
        return 0
    work = args.work_dir
    for stale in ("access.log", "gunicorn.log", "celery.log", "locust.log", "samples.json"):
        (work / stale).unlink(missing_ok=True)
    queue = f"load-{os.getpid()}"
    env = servers.app_env(
        database_url=state["database_url"],
        redis_url=state["redis_url"],
        queue=queue,
        media_root=work / "media",
        production=not args.testing_settings,
        static_root=work / "static",
    )
    if not args.testing_settings:
        collect_static(env, work / "static")
    port = servers.free_port()
    base_url = f"http://{servers.HOST}:{port}"
    worker = servers.celery_worker(env, queue=queue, concurrency=args.celery_concurrency, log_dir=work)
    web = servers.gunicorn(env, port=port, workers=args.workers, threads=args.threads, log_dir=work)
    locust = None
    connection.close()
    try:
        worker.start()
        web.start()
        servers.wait_healthy(base_url, timeout=90)
        warm_up(base_url, json.loads(Path(state["warmup_file"]).read_text()), parallel=args.workers * args.threads)
        access_log = work / "access.log"
        measured_from = access_log.stat().st_size if access_log.exists() else 0  # the warm-up is not measured
        log(
            f"gunicorn on {base_url} ({args.workers} workers x {args.threads} threads), Celery worker "
            f"(concurrency {args.celery_concurrency}); locust: {args.users} users, +{args.spawn_rate}/s, "
            f"{args.duration} s, think {args.think} s"
        )
        meter = CpuMeter(
            {
                "gunicorn": _tree(web),
                "celery": _tree(worker),
                "postgres": _postgres_processes(state["database_url"]),
            }
        )
        since = timezone.now()
        samples_file = work / "samples.json"
        locust = servers.AppProcess(
            "locust",
            locust_command(
                users=args.users,
                spawn_rate=args.spawn_rate,
                duration=args.duration,
                host=base_url,
                csv_prefix=work / "locust",
            ),
            locust_env(users_file=state["users_file"], samples_file=samples_file, think=args.think),
            work / "locust.log",
        )
        locust.start()
        meter.start()
        locust.process.wait(timeout=args.duration + 120)
        cpu = meter.stop()
        wait_for_letters(since, timeout=60)
        letters = letters_summary(since)
    finally:
        if locust is not None:
            locust.stop()
        web.stop()
        worker.stop()
        connection.close()
    if not samples_file.exists():
        log((work / "locust.log").read_text()[-3000:])
        raise RuntimeError("locust wrote no samples")
    recorded = json.loads(samples_file.read_text())
    samples = recorded["samples"]
    cpu["locust"] = {"cpu_s": recorded["cpu_s"], "cores": round(recorded["cpu_s"] / cpu["wall_s"], 2)}
    client = stats.client_side(samples, args.duration)
    client["journey_after_logins"] = stats.after_logins(samples, args.duration)
    with (work / "access.log").open("rb") as handle:
        handle.seek(measured_from)
        server = stats.server_side(handle.read().decode(errors="replace").splitlines())
    # CPU per unit of work: what a page or letter costs whatever else ran on the machine (wall times do not).
    served = sum(row["count"] for page, row in server.items() if page != "healthz")
    logins = server.get("login save", {}).get("count", 0)
    cpu["gunicorn"]["ms_per_request"] = round(cpu["gunicorn"]["cpu_s"] * 1000 / max(served, 1), 1)
    cpu["gunicorn"]["requests"], cpu["gunicorn"]["of_them_logins"] = served, logins
    cpu["celery"]["ms_per_letter"] = round(cpu["celery"]["cpu_s"] * 1000 / max(letters["rendered"], 1), 1)
    missed = stats.budget_missed(client["journey"], client["all"])
    if letters["queued"] or letters["failed"]:
        missed.append(f"letters not rendered: {letters['queued']} queued, {letters['failed']} failed")
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "duration_s": args.duration,
        "think_s": args.think,
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "celery_concurrency": args.celery_concurrency,
        "settings": "testing" if args.testing_settings else "production",
        "prepare": state["timings"],
        "budget": stats.BUDGET,
        "client": client,
        "server": server,
        "letters": letters,
        "cpu": cpu,
        "missed": missed,
        "passed": not missed,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    report(result)
    log(f"written to {args.out.relative_to(BASE_DIR) if args.out.is_relative_to(BASE_DIR) else args.out}")
    return 0 if not missed else 1


def report(result: dict) -> None:
    from .stats import table

    client = result["client"]
    log("")
    for line in table("as the client saw it (locust):", client["steps"]):
        log(line)
    for label, key in (
        ("journey (without login)", "journey"),
        ("journey after the last login", "journey_after_logins"),
        ("all requests", "all"),
    ):
        row = client[key]
        log(
            f"  {label:<32}{row['count']:>7}{row['failures']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}"
            f"{row['p99_ms']:>9}{row['max_ms']:>9}   error rate {100 * row['error_rate']:.2f} %"
        )
    log("")
    for line in table("inside gunicorn (access log):", result["server"]):
        log(line)
    letters = result["letters"]
    log("")
    log(
        f"letters: {letters['created']} created, {letters['rendered']} rendered, {letters['queued']} queued, "
        f"{letters['failed']} failed; decision to PDF p50 {letters['render_latency_p50_ms']} ms, "
        f"p95 {letters['render_latency_p95_ms']} ms"
    )
    cpu = result["cpu"]
    used = ", ".join(
        f"{name} {row['cores']} cores" for name, row in cpu.items() if isinstance(row, dict) and "cores" in row
    )
    machine = cpu["machine"]
    log(
        f"CPU over {cpu['wall_s']} s: {used}; machine {machine['busy_percent']} % busy of {machine['cpus']} CPUs, "
        f"load average {machine['load_average_1m_at_end']} (other work on the machine included)"
    )
    log(
        f"CPU per unit: gunicorn {cpu['gunicorn']['ms_per_request']} ms per request "
        f"({cpu['gunicorn']['requests']} requests, {cpu['gunicorn']['of_them_logins']} of them password checks), "
        f"worker {cpu['celery']['ms_per_letter']} ms per letter"
    )
    budget = result["budget"]
    verdict = "PASSED" if result["passed"] else "MISSED: " + "; ".join(result["missed"])
    log(f"budget (journey p95 <= {budget['p95_ms']} ms, p99 <= {budget['p99_ms']} ms, no errors): {verdict}")


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stord_bolig.settings")
    os.environ.setdefault("STORD_TESTING", "1")  # the runner itself: no production secrets needed to prepare
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
