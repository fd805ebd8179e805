"""The embedded servers: started when no URL is configured, found again after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest


def _run(code: str, var_dir) -> str:
    env = {**os.environ, "STORD_VAR_DIR": str(var_dir)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def var_dir(tmp_path_factory):
    # A short path: PostgreSQL's socket path must stay under ~100 characters.
    path = tmp_path_factory.mktemp("v", numbered=True)
    yield path
    _run("from stord_bolig import embedded; embedded.stop_redis(); embedded.stop_postgres()", path)


def test_embedded_redis__recovers_after_the_server_is_killed(var_dir):
    code = (
        "from stord_bolig import embedded; import redis; url = embedded.redis_url(); "
        "print(redis.Redis.from_url(url).ping(), open(embedded.REDIS_DIR / 'redis.pid').read().strip())"
    )
    first = _run(code, var_dir)
    assert first.startswith("True")
    os.kill(int(first.split()[1]), signal.SIGKILL)
    time.sleep(0.3)
    second = _run(code, var_dir)
    assert second.startswith("True")
    assert second.split()[1] != first.split()[1]


def test_embedded_postgres__recovers_after_the_postmaster_is_killed(var_dir):
    code = (
        "from stord_bolig import embedded; import psycopg, dj_database_url; url = embedded.postgres_url(); "
        "db = dj_database_url.parse(url); "
        "conn = psycopg.connect(host=db['HOST'], user='postgres', dbname=db['NAME']); "
        "print(conn.execute('select pg_backend_pid()').fetchone()[0], "
        "open(embedded.PGDATA / 'postmaster.pid').readline().strip())"
    )
    first = _run(code, var_dir)
    os.kill(int(first.split()[1]), signal.SIGKILL)
    time.sleep(0.5)
    second = _run(code, var_dir)
    assert second.split()[1] != first.split()[1]


@pytest.mark.django_db
def test_database__the_apps_connections_run_without_the_jit_compiler():
    # JIT compiling cost KOSTRA 270 ms of its 405 (docs/PERFORMANCE.md); the setting comes with the connection.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
