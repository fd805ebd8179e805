"""Shared bits of the reporting commands: date arguments and JSON output."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import CommandError


def date_argument(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def write_json(command, payload) -> None:
    command.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
