"""A real Celery worker process on the real Redis, reading the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from stord_bolig.celery import app as celery_app


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def _test_database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host", "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{quote(host, safe='')}{port}/{db['NAME']}"


class Worker:
    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.queue = f"test-{os.getpid()}-{time.time_ns()}"

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "STORD_TESTING": "1",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            # Tasks the worker itself queues (follow-up tasks) stay on this test's private queue.
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "stord_bolig",
                "worker",
                "-Q",
                self.queue,
                "-c",
                "1",
                "-P",
                "prefork",
                "-l",
                "WARNING",
                "-n",
                f"{self.queue}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            replies = celery_app.control.ping(destination=[f"{self.queue}@{os.uname().nodename}"], timeout=0.5)
            if replies:
                return
        raise RuntimeError("the Celery worker did not start")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


@pytest.fixture
def celery_worker(transactional_db, settings):
    """Tasks go to a real broker and a real worker for the duration of the test."""
    worker = Worker()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = worker.queue
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        celery_app.conf.task_always_eager = True
        celery_app.conf.task_default_queue = "celery"
