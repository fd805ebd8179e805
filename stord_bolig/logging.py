"""Structured logs (one JSON object a line) that never carry a national id, password or session id."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

_NATIONAL_ID = re.compile(r"(?<!\d)(\d{6})[ ]?(\d{5})(?!\d)")
_SECRET_FIELD = re.compile(
    r"(?i)(password|passord|sessionid|csrftoken|csrfmiddlewaretoken|secret|token|otp_token)"
    r"([\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;]+)"
)


def redact(text: str) -> str:
    """Mask 11-digit personal numbers (keep the birth date) and the values of secret fields."""
    text = _NATIONAL_ID.sub(r"\1*****", text)
    return _SECRET_FIELD.sub(r"\1\2[redacted]", text)


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "user_id", "task_id"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_text:
            payload["exception"] = record.exc_text
        elif record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)
