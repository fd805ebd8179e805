"""Faults under load: a worker killed mid-letter, Redis restarted, PostgreSQL restarted, while caseworkers work.

The test owns every server it touches: a PostgreSQL and a Redis of its own (temporary directory, own ports),
a generated world of Stord's size, gunicorn, a Celery worker and a beat stand-in that queues the sweeps every
few seconds. Locust runs the load test's journey (loadtest/locustfile.py) for a minute while the test
1. SIGKILLs the worker's whole process group while it holds a letter row locked to render it, and starts a
   new worker (what a supervisor does: docker's restart policy, systemd);
2. restarts Redis (no persistence: every queued and unacknowledged message is lost);
3. restarts PostgreSQL with `pg_ctl restart -m immediate` (a crash: every connection cut, recovery on start).
Requests in flight during a restart may fail. Afterwards, without anything done by hand: /healthz answers 200,
a second short run has no errors at all, every letter is rendered exactly once (the beat re-queue finds the
ones whose tasks were lost), the reminder sweep run twice leaves each reminder once, and no request left
half-written data (tests/faults/verify.py lists what is checked).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from loadtest import servers, stats
from loadtest.run import locust_command, locust_env

BASE_DIR = Path(__file__).resolve().parents[2]
# A dump of the prepared database (migrated, world generated), reused while migrations and the world stay
# the same: migrating an empty database takes a minute here, restoring the dump a few seconds.
CACHE_DIR = BASE_DIR / "var" / "faults"
SCALE = "stord"
USERS = 10
AFTER_USERS = 3
LOAD_SECONDS = 60
THINK = "0.3,1"
QUEUE = "faults"

pytestmark = pytest.mark.faults


def _locust(work: Path, name: str, *, users: int, seconds: int, first_account: int, base_url: str, users_file: str):
    env = locust_env(users_file=users_file, samples_file=work / f"{name}-samples.json", think=THINK)
    env["LOAD_FIRST_ACCOUNT"] = str(first_account)
    argv = locust_command(
        users=users,
        spawn_rate=users,
        duration=seconds,
        host=base_url,
        csv_prefix=work / f"{name}-locust",
        stop_timeout=3,
    )
    return servers.AppProcess(name, argv, env, work / f"{name}.log").start()


def _samples(work: Path, name: str, seconds: int) -> dict:
    samples = json.loads((work / f"{name}-samples.json").read_text())["samples"]
    return stats.client_side(samples, seconds)


def _kill_worker_mid_render(worker: servers.Supervised, database_url: str, timeout: float = 30) -> bool:
    """SIGKILL the worker while one of its processes holds a letter row locked to render it."""
    query = (
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'stord-worker' "
        "AND state = 'idle in transaction' AND query LIKE '%stord_bolig_letter%FOR UPDATE%'"
    )
    with psycopg.connect(database_url, autocommit=True) as conn:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if conn.execute(query).fetchone():
                worker.kill()
                return True
            time.sleep(0.003)
    worker.kill()
    return False


def _world_key() -> str:
    digest = hashlib.sha256(SCALE.encode())
    sources = sorted(BASE_DIR.glob("*/migrations/*.py")) + [
        BASE_DIR / "reports" / "world.py",
        BASE_DIR / "loadtest" / "seed.py",
    ]
    for path in sources:
        if ".venv" not in path.parts:
            digest.update(path.relative_to(BASE_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _prepare(pg: servers.OwnPostgres, redis: servers.OwnRedis, base: Path, work: Path) -> dict:
    """The load database: restored from the cached dump when there is one, then accounts and cases topped up."""
    cached = CACHE_DIR / f"load_{SCALE}-{_world_key()}.dump"
    if cached.exists():
        pg.restore(f"load_{SCALE}", cached)
    env = {
        **os.environ,
        "DATABASE_URL": pg.url("stord_bolig"),
        "REDIS_URL": redis.url(),
        "STORD_TESTING": "1",
    }
    argv = [sys.executable, "-m", "loadtest.run", "--prepare-only", "--testing-settings", "--scale", SCALE]
    argv += ["--users", str(USERS + AFTER_USERS), "--duration", f"{LOAD_SECONDS}s", "--think", THINK]
    argv += ["--caseload", "20", "--work-dir", str(work), "--state", str(base / "state.json")]
    prepared = _run(argv, env, timeout=300)
    assert prepared.returncode == 0, prepared.stdout[-2000:] + prepared.stderr[-4000:]
    if not cached.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for old in CACHE_DIR.glob(f"load_{SCALE}-*.dump"):
            old.unlink(missing_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
        pg.dump(f"load_{SCALE}", partial)
        partial.replace(cached)  # a run started meanwhile never restores half a dump
    return json.loads((base / "state.json").read_text())


def _run(argv: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=timeout, check=False)


def test_faults__worker_killed_redis_and_postgres_restarted_under_load_leave_no_half_written_data():
    started = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="stord-faults-"))
    work = base / "load"
    pg = servers.OwnPostgres(base / "postgres")
    redis = servers.OwnRedis(base / "redis")
    processes: list = []
    timeline: dict[str, object] = {}
    try:
        pg.start()
        pg.create_database("stord_bolig")
        redis.start()
        state = _prepare(pg, redis, base, work)
        timeline["prepared_s"] = round(time.monotonic() - started, 1)
        media = base / "media"
        env = servers.app_env(
            database_url=state["database_url"], redis_url=redis.url(), queue=QUEUE, media_root=media, production=False
        )
        worker_env = {**env, "DATABASE_URL": state["database_url"] + "?application_name=stord-worker"}
        port = servers.free_port()
        base_url = f"http://{servers.HOST}:{port}"
        # Supervised as in docker-compose.yml (restart: unless-stopped): a worker that exits is started again.
        worker = servers.Supervised(servers.celery_worker(worker_env, queue=QUEUE, concurrency=2, log_dir=base))
        web = servers.Supervised(servers.gunicorn(env, port=port, workers=2, threads=4, log_dir=base))
        sweeper = servers.AppProcess(
            "sweeper",
            [sys.executable, "-m", "tests.faults.sweeper", "--every", "5", "--older-than", "10"],
            env,
            base / "sweeper.log",
        )
        processes += [worker, web, sweeper]
        for process in processes:
            process.start()
        servers.wait_healthy(base_url, timeout=90)

        load = _locust(
            work,
            "faults",
            users=USERS,
            seconds=LOAD_SECONDS,
            first_account=0,
            base_url=base_url,
            users_file=state["users_file"],
        )
        processes.append(load)
        load_started = time.monotonic()

        def at(second: float) -> None:
            time.sleep(max(0.0, load_started + second - time.monotonic()))

        at(8)
        timeline["worker_killed_mid_render"] = _kill_worker_mid_render(worker, state["database_url"])
        timeline["worker_killed_at_s"] = round(time.monotonic() - load_started, 1)
        at(25)
        redis_down = time.time()
        timeline["redis_down_s"] = round(redis.restart(down_for=4), 2)
        redis_up = time.time()
        at(42)
        timeline["postgres_restart_s"] = round(pg.restart("immediate"), 2)
        load.process.wait(timeout=LOAD_SECONDS + 60)
        during = _samples(work, "faults", LOAD_SECONDS)
        raw = json.loads((work / "faults-samples.json").read_text())["samples"]
        # Decisions made while Redis was down: their letters could not be queued at commit.
        timeline["decisions_while_redis_down"] = sum(
            1 for name, _ms, ok, start in raw if name == "decision save" and ok and redis_down <= start <= redis_up
        )
        timeline["load_done_s"] = round(time.monotonic() - started, 1)

        # Nothing is done by hand from here on: the app must answer again by itself.
        timeline["healthy_again_after_s"] = round(servers.wait_healthy(base_url, timeout=60), 1)
        after = _locust(
            work,
            "after",
            users=AFTER_USERS,
            seconds=15,
            first_account=USERS,
            base_url=base_url,
            users_file=state["users_file"],
        )
        processes.append(after)
        after.process.wait(timeout=90)
        after_stats = _samples(work, "after", 15)
        timeline["after_run_done_s"] = round(time.monotonic() - started, 1)

        # Beat's next re-queue run finds the letters whose render tasks the faults lost.
        sweeper.stop()
        once = _run([sys.executable, "-m", "tests.faults.sweeper", "--once", "--older-than", "0"], env, timeout=60)
        assert once.returncode == 0, once.stdout + once.stderr
        verified = _run(
            [sys.executable, "-m", "tests.faults.verify", "--media-root", str(media), "--wait-letters", "90"],
            env,
            timeout=180,
        )
        assert verified.returncode == 0, verified.stderr[-4000:]
        result = json.loads(verified.stdout.strip().splitlines()[-1])
    finally:
        for process in reversed(processes):
            process.stop()
        redis.stop()
        pg.stop()

    timeline["total_s"] = round(time.monotonic() - started, 1)
    # One exit is the SIGKILL above; any other is the worker dying by itself (celery 5.7.0 exits on a broker
    # connection loss while it holds unacknowledged tasks; the supervisor starts it again).
    timeline["worker_exits"] = worker.exits
    timeline["web_exits"] = web.exits
    report = {
        "directory": str(base),
        "timeline": timeline,
        "during_faults": {name: (row["count"], row["failures"]) for name, row in during["steps"].items()},
        "after": after_stats["all"],
        "verified": result,
    }
    (base / "report.json").write_text(json.dumps(report, indent=1, default=str))
    print(json.dumps({key: report[key] for key in ("directory", "timeline", "during_faults", "after")}, default=str))

    assert timeline["worker_killed_mid_render"], "the worker was never caught holding a letter to render"
    assert not web.exits, "gunicorn exited"
    assert during["journey"]["count"] > 100, "the load did too little to mean anything"
    assert result["counts"]["journey_decided"] >= 10
    assert after_stats["all"]["count"] > 0 and after_stats["all"]["failures"] == 0, after_stats
    assert all(not problems for problems in result["cases"].values()), result["cases"]
    assert all(not problems for problems in result["letters"].values()), result["letters"]
    reminders = result["reminders"]
    assert reminders["second_sweep"]["inserted"] == 0, reminders
    assert reminders["duplicated"] == 0 and not reminders["missing"] and not reminders["extra"], reminders
    assert reminders["open"] == reminders["expected"], reminders
    worker_log = (base / "celery.log").read_text(errors="replace")
    # A task queued before its transaction committed would find no row.
    assert "DoesNotExist" not in worker_log, worker_log[-3000:]
    if os.environ.get("STORD_FAULTS_KEEP") != "1":
        shutil.rmtree(base, ignore_errors=True)  # kept for reading when an assertion above failed
