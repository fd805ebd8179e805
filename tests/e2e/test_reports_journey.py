"""Management opens the dashboard, changes the period and downloads the figures as CSV."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import axe_check, login
from tests.factories import DecisionFactory


def test_dashboard__management_changes_period_and_downloads_csv(page, live_server, staff_user):
    staff_user("management", "leiv")
    DecisionFactory()
    login(page, live_server, "leiv")
    page.goto(f"{live_server.url}/reports/")
    axe_check(page)
    year = timezone.localdate().year
    table = page.get_by_test_id("dashboard-table")
    expect(table.locator("tbody tr")).to_have_count(5)
    page.fill("#from", str(year - 1))
    page.fill("#to", str(year))
    page.get_by_test_id("period-form").locator("[type=submit]").click()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text(str(year - 1))
    # the figures are kept for the hour; management has them computed again, for the same period
    page.get_by_test_id("computed-at").locator("[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)
    with page.expect_download() as download_info:
        page.get_by_test_id("csv").click()
    download = download_info.value
    content = open(download.path(), encoding="utf-8-sig").read()
    lines = content.strip().splitlines()
    assert len(lines) == 3  # header + two years
    assert lines[1].startswith(str(year - 1))
    page.goto(f"{live_server.url}/reports/kostra/?year={year}")
    expect(page.get_by_test_id("kostra-table")).to_contain_text("units_total")
    axe_check(page)
