"""`make run`: embedded servers, migrations, demo data, Celery worker + beat and the web server.

Ctrl-C (or SIGTERM) stops everything this started, in reverse order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from stord_bolig import embedded

PORT = os.environ.get("PORT", "8000")
HOST = os.environ.get("HOST", "127.0.0.1")


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True)  # noqa: S603 - fixed argv  # nosec B603


def main() -> int:
    os.environ.setdefault("DEBUG", "1")
    started = embedded.ensure_environment()
    children: list[subprocess.Popen] = []
    stopping = False

    def stop(signum=None, frame=None):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        _manage("migrate", "--noinput", "-v", "0")
        _manage("load_demo")
        celery = [sys.executable, "-m", "celery", "-A", "stord_bolig"]
        children.append(subprocess.Popen([*celery, "worker", "-l", "WARNING", "-c", "2"]))  # noqa: S603 - fixed argv  # nosec B603
        children.append(subprocess.Popen([*celery, "beat", "-l", "WARNING"]))  # noqa: S603 - fixed argv  # nosec B603
        children.append(
            subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"{HOST}:{PORT}"])  # noqa: S603 - fixed argv  # nosec B603
        )
        time.sleep(2)
        _manage("demo_logins", "--url", f"http://{HOST}:{PORT}/")
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
        return 0
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in reversed(children):
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=15)
            if child.poll() is None:
                child.kill()
        embedded.stop(started)
        print("Stord bolig stopped; embedded servers stopped." if started else "Stord bolig stopped.")


if __name__ == "__main__":
    sys.exit(main())
