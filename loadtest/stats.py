"""Percentiles and tables for the load run: nearest-rank percentiles over every sample, nothing interpolated."""

from __future__ import annotations

import math
import re
from collections import defaultdict

BUDGET = {"p95_ms": 300, "p99_ms": 1000, "errors": 0}
LOGIN_STEPS = ("login page", "login", "2fa page", "2fa")
STEP_ORDER = [
    "login page",
    "login",
    "2fa page",
    "2fa",
    "work list",
    "case page",
    "assessment form",
    "assessment save",
    "decision form",
    "decision save",
    "case page (waiting for letter)",
    "letter download",
    "letter rendered",
]


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(times: list[float], failures: int = 0, seconds: float | None = None) -> dict:
    values = sorted(times)
    count = len(values)
    row = {
        "count": count,
        "failures": failures,
        "error_rate": round(failures / count, 4) if count else 0.0,
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "p99_ms": round(percentile(values, 99), 1),
        "max_ms": round(values[-1], 1) if values else 0.0,
        "mean_ms": round(sum(values) / count, 1) if count else 0.0,
    }
    if seconds:
        row["per_second"] = round(count / seconds, 2)
    return row


def client_side(samples: list[list], seconds: float) -> dict:
    """Per step, the journey without the one-off login, and everything; a sample is [name, ms, ok, start]."""
    by_step: dict[str, list] = defaultdict(list)
    for name, ms, ok, _start in samples:
        by_step[name].append((ms, ok))

    def rows(pairs):
        return summarize([ms for ms, _ok in pairs], sum(1 for _ms, ok in pairs if not ok), seconds)

    steps = {name: rows(by_step[name]) for name in sorted(by_step, key=_step_key)}
    journey = [pair for name, pairs in by_step.items() if name not in LOGIN_STEPS for pair in pairs]
    everything = [pair for pairs in by_step.values() for pair in pairs]
    return {"steps": steps, "journey": rows(journey), "all": rows(everything)}


def after_logins(samples: list[list], seconds: float) -> dict:
    """The journey once every user has logged in: without the ramp, when password hashing competes with pages."""
    logins = [start + ms / 1000 for name, ms, _ok, start in samples if name == "2fa"]
    since = max(logins, default=0.0)
    rest = [(ms, ok) for name, ms, ok, start in samples if start >= since and name not in LOGIN_STEPS]
    row = summarize([ms for ms, _ok in rest], sum(1 for _ms, ok in rest if not ok))
    first = min((start for *_rest, start in samples), default=since)
    row["from_s"] = round(since - first, 1)
    return row


def _step_key(name: str):
    return (STEP_ORDER.index(name) if name in STEP_ORDER else len(STEP_ORDER), name)


_SERVER_ROUTES = [
    (re.compile(r"^/$"), "work list"),
    (re.compile(r"^/login/$"), "login"),
    (re.compile(r"^/login/verify/$"), "2fa"),
    (re.compile(r"^/cases/[^/]+/$"), "case page"),
    (re.compile(r"^/cases/[^/]+/assessment/$"), "assessment"),
    (re.compile(r"^/cases/[^/]+/decide/$"), "decision"),
    (re.compile(r"^/letters/\d+/$"), "letter download"),
    (re.compile(r"^/healthz$"), "healthz"),
]


def server_side(access_log_lines) -> dict:
    """Time inside the gunicorn worker per page (from the access log: `METHOD PATH STATUS MS`)."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for line in access_log_lines:
        parts = line.split()
        if len(parts) != 4 or not parts[3].isdigit():
            continue
        method, path, status, ms = parts
        page = next((name for pattern, name in _SERVER_ROUTES if pattern.match(path)), "other")
        if page in ("login", "2fa", "assessment", "decision"):
            page = f"{page} {'save' if method == 'POST' else 'page'}"
        times[page].append(float(ms))
        if status.startswith("5"):
            errors[page] += 1
    return {page: summarize(values, errors[page]) for page, values in sorted(times.items())}


def budget_missed(journey: dict, everything: dict) -> list[str]:
    missed = []
    if journey["p95_ms"] > BUDGET["p95_ms"]:
        missed.append(f"journey p95 {journey['p95_ms']} ms > {BUDGET['p95_ms']} ms")
    if journey["p99_ms"] > BUDGET["p99_ms"]:
        missed.append(f"journey p99 {journey['p99_ms']} ms > {BUDGET['p99_ms']} ms")
    if everything["failures"] > BUDGET["errors"]:
        missed.append(f"{everything['failures']} failed requests (budget: {BUDGET['errors']})")
    return missed


def table(title: str, rows: dict[str, dict]) -> list[str]:
    lines = [
        title,
        f"  {'step':<32}{'count':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}",
    ]
    for name, row in rows.items():
        lines.append(
            f"  {name:<32}{row['count']:>7}{row['failures']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}"
            f"{row['p99_ms']:>9}{row['max_ms']:>9}"
        )
    return lines
