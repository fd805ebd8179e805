import logging

from stord_bolig.logging import JsonFormatter, RedactFilter, redact


def test_redact__masks_national_ids_and_secrets():
    text = redact("person 01019012345 password=hunter2 sessionid=abc123 case S-2026-0001")
    assert "01019012345" not in text
    assert "010190*****" in text
    assert "hunter2" not in text and "abc123" not in text
    assert "S-2026-0001" in text


def test_filter__applies_to_arguments_too():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "looked up %s", ("24049225551",), None)
    RedactFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "24049225551" not in line
    assert '"level": "INFO"' in line
