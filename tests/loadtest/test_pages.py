"""The load test reads forms as a browser submits them, and counts percentiles by nearest rank."""

from __future__ import annotations

import pytest

from loadtest.pages import letter_links, parse
from loadtest.stats import after_logins, budget_missed, percentile, server_side, summarize

PAGE = """
<form method="post" action="">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <select name="urgency" id="id_urgency"><option value="A">A</option><option value="C" selected>C</option></select>
  <span id="id_urgency_helptext" class="form-text">Foreslått frå kartlegginga: A</span>
  <select name="main_reason"><option value="other">Other</option><option value="refugee">Refugee</option></select>
  <textarea name="housing_notes">
Bur på hospits</textarea>
  <input type="checkbox" name="wheelchair_need">
  <input type="checkbox" name="payment_remarks" checked>
  <input type="radio" name="outcome" value="granted"><input type="radio" name="outcome" value="refused">
  <button type="submit" name="save">Lagre</button>
  <button type="submit" name="complete" value="1">Lagre og klar</button>
</form>
<a data-testid="decide-link" href="/cases/S-1/decide/">Vedtak</a>
<span data-testid="case-status">Klar for vedtak</span>
<a href="/letters/12/">Vedtak</a>
"""


def test_parse__submits_what_a_browser_would():
    page = parse(PAGE)
    form = page.form_with("complete")
    data = form.data(button="complete", outcome="granted")
    assert data == {
        "csrfmiddlewaretoken": "tok",
        "urgency": "C",
        "main_reason": "other",  # no option selected: the first
        "housing_notes": "Bur på hospits",  # the newline after <textarea> is not content
        "payment_remarks": "on",  # only checked boxes are sent
        "outcome": "granted",
        "complete": "1",
    }
    assert form.radios["outcome"] == ["granted", "refused"]
    assert form.options["urgency"] == ["A", "C"]


def test_parse__reads_marked_elements_links_and_help_texts():
    page = parse(PAGE)
    assert page.link("decide-link") == "/cases/S-1/decide/"
    assert page.text("case-status") == "Klar for vedtak"
    assert page.hints["id_urgency_helptext"].endswith("A")
    assert letter_links(PAGE) == ["/letters/12/"]


@pytest.mark.parametrize(("p", "expected"), [(50, 50), (95, 95), (99, 99), (100, 100)])
def test_percentile__nearest_rank(p, expected):
    assert percentile(list(range(1, 101)), p) == expected


def test_summarize_and_budget__errors_fail_the_budget_whatever_the_times():
    fast = summarize([10.0] * 100)
    assert budget_missed(fast, fast) == []
    failed = summarize([10.0] * 100, failures=1)
    assert budget_missed(fast, failed) == ["1 failed requests (budget: 0)"]
    slow = summarize([10.0] * 90 + [400.0] * 10)
    assert budget_missed(slow, slow) == ["journey p95 400.0 ms > 300 ms"]


def test_after_logins__starts_when_the_last_user_has_logged_in():
    samples = [
        ["2fa", 100, True, 0.0],
        ["case page", 900, True, 0.05],
        ["2fa", 100, True, 1.0],
        ["case page", 50, True, 2.0],
    ]
    row = after_logins(samples, 10)
    assert (row["count"], row["p50_ms"], row["from_s"]) == (1, 50, 1.1)


def test_server_side__groups_paths_into_pages():
    rows = server_side(
        ["GET /cases/S-2026-L01-0001/ 200 40", "POST /cases/S-2026-L01-0001/decide/ 302 90", "GET / 500 5"]
    )
    assert rows["case page"]["count"] == 1
    assert rows["decision save"]["p50_ms"] == 90
    assert rows["work list"]["failures"] == 1
