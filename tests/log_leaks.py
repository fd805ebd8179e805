"""Pytest plugin: no fødselsnummer, password or session id reaches the application's logs over the whole test run.

From session start, every logging handler the app configured (found on the logger tree; looked for again before each
test in case one was added) keeps a copy of what it writes: its formatted output, after its own filters, exactly as
it goes to the stream. The captured stderr of each test is kept too, which covers the Celery worker that the
integration tests start as a subprocess. At session end each kept line is checked for

- an 11-digit run (or 6 + 5 digits) that is a valid fødselsnummer or D-number (python-stdnum),
- any password hashed or checked during the run (every factory, demo and login password goes through Django's
  password hashers) of 8 or more characters, and the demo password,
- the key of any session saved during the run.

A hit is reported as one failed test, "tests/log_leaks.py::application_logs", listing the offending lines, and fails
the run. Under pytest-xdist each worker checks its own lines (its own sessions and passwords) and hands the hits to
the controller, which reports them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import pytest
from stdnum.no import fodselsnummer

NODEID = "tests/log_leaks.py::application_logs"
MIN_PASSWORD_LENGTH = 8
_NATIONAL_ID = re.compile(r"(?<!\d)(\d{6}) ?(\d{5})(?!\d)")
# Django session keys are 32 characters of [a-z0-9]; a key can sit inside a longer run (a cookie header, a path).
_KEY_RUN = re.compile(r"[a-z0-9]{32,}")
_SESSION_KEY_LENGTH = 32


@dataclass
class LeakChecker:
    """Lines the app's log handlers wrote, and the secrets they must not contain."""

    passwords: set[str] = field(default_factory=set)
    session_keys: set[str] = field(default_factory=set)
    lines: dict[str, str] = field(default_factory=dict)  # line -> where it was first seen
    where: str = "session start"

    def record(self, text: str, where: str | None = None) -> None:
        for line in text.splitlines():
            if line.strip():
                self.lines.setdefault(line, where or self.where)

    def add_password(self, password) -> None:
        if isinstance(password, str) and len(password) >= MIN_PASSWORD_LENGTH:
            self.passwords.add(password)

    def leaks_in(self, line: str) -> list[str]:
        """What in `line` is a national id, a known password or a known session key."""
        found = []
        for match in _NATIONAL_ID.finditer(line):
            if fodselsnummer.is_valid(match.group(1) + match.group(2)):
                found.append(f"national id {match.group(0)}")
        found += [f"password {password!r}" for password in self.passwords if password in line]
        for run in _KEY_RUN.findall(line):
            for start in range(len(run) - _SESSION_KEY_LENGTH + 1):
                if run[start : start + _SESSION_KEY_LENGTH] in self.session_keys:
                    found.append(f"session key {run[start : start + _SESSION_KEY_LENGTH]}")
        return found

    def findings(self) -> list[str]:
        return [
            f"{where}: {', '.join(leaks)} in: {line[:500]}"
            for line, where in self.lines.items()
            if (leaks := self.leaks_in(line))
        ]

    # --- wiring into logging ------------------------------------------------------------------------------------

    def watch(self, handler: logging.Handler) -> None:
        """Keep a copy of everything `handler` formats: what it writes, after its filters ran."""
        if getattr(handler, "_log_leaks_checker", None) is self:
            return
        original = handler.format

        def format(record: logging.LogRecord) -> str:
            text = original(record)
            self.record(text)
            return text

        handler.format = format
        handler._log_leaks_checker = self
        handler._log_leaks_original = original

    def watch_configured_handlers(self) -> None:
        """Watch every handler on the logger tree except pytest's own capturing handlers."""
        loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        for logger in loggers:
            for handler in getattr(logger, "handlers", ()):
                if not type(handler).__module__.startswith("_pytest"):
                    self.watch(handler)

    def unwatch_all(self) -> None:
        loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
        for logger in loggers:
            for handler in getattr(logger, "handlers", ()):
                if getattr(handler, "_log_leaks_checker", None) is self:
                    handler.format = handler._log_leaks_original
                    del handler._log_leaks_checker, handler._log_leaks_original


def _watch_passwords(checker: LeakChecker) -> None:
    """Record every password that Django's configured hashers encode or verify (factories, set_password, logins)."""
    from django.contrib.auth.hashers import get_hashers

    for hasher in get_hashers():
        cls = type(hasher)
        if cls.__dict__.get("_log_leaks_checker") is checker:
            continue
        encode, verify = cls.encode, cls.verify

        def watched_encode(self, password, *args, _encode=encode, **kwargs):
            checker.add_password(password)
            return _encode(self, password, *args, **kwargs)

        def watched_verify(self, password, *args, _verify=verify, **kwargs):
            checker.add_password(password)
            return _verify(self, password, *args, **kwargs)

        cls.encode, cls.verify, cls._log_leaks_checker = watched_encode, watched_verify, checker


def _watch_sessions(checker: LeakChecker) -> None:
    from django.contrib.sessions.models import Session
    from django.db.models.signals import post_save

    def saved(sender, instance, **kwargs):
        checker.session_keys.add(instance.session_key)

    post_save.connect(saved, sender=Session, weak=False, dispatch_uid="tests.log_leaks")


def _is_xdist_controller(config) -> bool:
    return not hasattr(config, "workerinput") and getattr(config.option, "dist", "no") != "no"


class LogLeakPlugin:
    def __init__(self, config):
        self.config = config
        self.checker = LeakChecker()
        self.findings: list[str] = []
        self.controller = _is_xdist_controller(config)

    # --- workers (or a run without xdist) collect and check -----------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session):
        if self.controller:
            return
        from stord_bolig.demo.users import DEMO_PASSWORD

        self.checker.add_password(DEMO_PASSWORD)
        _watch_passwords(self.checker)
        _watch_sessions(self.checker)
        self.checker.watch_configured_handlers()

    def pytest_runtest_logstart(self, nodeid, location):
        self.checker.where = nodeid

    def pytest_runtest_setup(self, item):
        if not self.controller:
            self.checker.watch_configured_handlers()
            _watch_passwords(self.checker)  # override_settings(PASSWORD_HASHERS=...) makes new hasher classes

    def pytest_runtest_logreport(self, report):
        if not self.controller and report.capstderr:
            self.checker.record(report.capstderr, where=f"{report.nodeid} (captured stderr, {report.when})")

    # --- the verdict --------------------------------------------------------------------------------------------

    def pytest_testnodedown(self, node, error):
        self.findings += getattr(node, "workeroutput", {}).get("log_leaks", [])

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        if not self.controller:
            self.checker.where = "session finish"
            self.findings += self.checker.findings()
            self.checker.unwatch_all()
        if hasattr(self.config, "workerinput"):
            self.config.workeroutput["log_leaks"] = self.findings
            return
        if not self.findings:
            return
        report = pytest.TestReport(
            nodeid=NODEID,
            location=("tests/log_leaks.py", None, "application_logs"),
            keywords={},
            outcome="failed",
            longrepr="No fødselsnummer, password or session id may appear in application logs; found:\n"
            + "\n".join(self.findings),
            when="call",
        )
        session.testscollected += 1  # counted like any test in the progress and the closing line
        self.config.hook.pytest_runtest_logreport(report=report)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config):
    config.pluginmanager.register(LogLeakPlugin(config), "log_leaks")
