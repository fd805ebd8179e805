"""The log-leak plugin (tests/log_leaks.py) sees what the app's handlers write, and fails a run that leaks."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

from stord_bolig.demo.identity import synthetic_national_id
from stord_bolig.logging import JsonFormatter, RedactFilter
from tests.log_leaks import NODEID, LeakChecker

FNR = synthetic_national_id(dt.date(1990, 1, 1))
D_NUMBER = synthetic_national_id(dt.date(1985, 1, 31), d_number=True)
SESSION_KEY = "0123456789abcdefghijklmnopqrstuv"


def _handler(*, redact: bool) -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    if redact:
        handler.addFilter(RedactFilter())
    return handler, stream


def test_checker__flags_national_ids_passwords_and_session_keys():
    checker = LeakChecker(passwords={"a-long-test-password"}, session_keys={SESSION_KEY})
    assert checker.leaks_in(f"looked up {FNR}") == [f"national id {FNR}"]
    assert checker.leaks_in(f"looked up {FNR[:6]} {FNR[6:]}") == [f"national id {FNR[:6]} {FNR[6:]}"]
    assert checker.leaks_in(f'{{"message": "person {D_NUMBER}"}}') == [f"national id {D_NUMBER}"]
    assert checker.leaks_in("login kari a-long-test-password") == ["password 'a-long-test-password'"]
    assert checker.leaks_in(f"Cookie: sessionid={SESSION_KEY}; x") == [f"session key {SESSION_KEY}"]
    assert checker.leaks_in(f"/s/zz{SESSION_KEY}99/") == [f"session key {SESSION_KEY}"]


def test_checker__passes_redacted_and_harmless_lines():
    checker = LeakChecker(passwords={"a-long-test-password"}, session_keys={SESSION_KEY})
    bad_checksum = FNR[:-1] + str((int(FNR[-1]) + 1) % 10)
    for line in (
        f"looked up {FNR[:6]}*****",
        f"checksum wrong {bad_checksum}",
        f"longer digit run 9{FNR}",
        "password=[redacted] sessionid=[redacted]",
        "S-2026-0001 case decided",
        "0123456789abcdefghijklmnopqrstuw",
    ):
        assert checker.leaks_in(line) == [], line


def test_checker__catches_a_leak_through_an_unfiltered_handler():
    logger = logging.getLogger("tests.log_leaks.unfiltered")
    handler, stream = _handler(redact=False)
    logger.addHandler(handler)
    logger.propagate = False
    checker = LeakChecker()
    checker.watch(handler)
    try:
        logger.warning("looked up %s", FNR)
    finally:
        logger.removeHandler(handler)
    assert FNR in stream.getvalue()
    assert len(checker.findings()) == 1
    assert f"national id {FNR}" in checker.findings()[0]


def test_checker__the_apps_filter_keeps_the_same_line_clean():
    logger = logging.getLogger("tests.log_leaks.filtered")
    handler, stream = _handler(redact=True)
    logger.addHandler(handler)
    logger.propagate = False
    checker = LeakChecker()
    checker.watch(handler)
    try:
        logger.warning("looked up %s", FNR)
    finally:
        logger.removeHandler(handler)
    assert checker.lines and checker.findings() == []
    assert f"{FNR[:6]}*****" in stream.getvalue()


def test_plugin__watches_the_apps_handlers_passwords_and_sessions(request, client, caseworker):
    checker = request.config.pluginmanager.get_plugin("log_leaks").checker
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert console._log_leaks_checker is checker
    logging.getLogger("stord_bolig.tests").warning("looked up %s", FNR)
    assert any(f"{FNR[:6]}*****" in line for line in checker.lines)
    assert not any(FNR in line for line in checker.lines)
    client.force_login(caseworker)
    assert client.session.session_key in checker.session_keys
    assert "a-long-test-password" in checker.passwords
    assert "Stord-demo-2026" in checker.passwords


def test_plugin__a_leaking_run_fails_and_names_the_lines(tmp_path):
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nDJANGO_SETTINGS_MODULE = stord_bolig.settings\naddopts = -p no:cacheprovider -p tests.log_leaks\n"
    )
    (tmp_path / "test_leaky.py").write_text(
        textwrap.dedent(
            f"""
            import logging
            import sys

            # A module that set up its own handler, without the app's RedactFilter.
            leaky = logging.getLogger("leaky")
            leaky.addHandler(logging.StreamHandler(sys.stderr))
            leaky.propagate = False

            def test_leaks():
                leaky.warning("looked up %s", "{FNR}")
                # The app's own handler redacts national ids but not a bare password.
                logging.getLogger("stord_bolig.x").warning("user typed %s", "Stord-demo-2026")

            def test_clean():
                logging.getLogger("stord_bolig.x").warning("looked up %s", "{FNR}")
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = str(settings.BASE_DIR)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rfE",
            "-p",
            "no:playwright",
            "-c",
            str(tmp_path / "pytest.ini"),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=Path(settings.BASE_DIR),
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    assert "FAILED " in done.stdout and NODEID.split("/")[-1] in done.stdout  # shown relative to the cwd
    assert "1 failed, 2 passed" in done.stdout
    assert f"national id {FNR}" in done.stdout
    assert "password 'Stord-demo-2026'" in done.stdout
    assert "test_leaky.py::test_leaks" in done.stdout
    assert "test_leaky.py::test_clean" not in done.stdout
