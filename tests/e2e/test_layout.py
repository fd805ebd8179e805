"""Layout a user notices: at a desk (1280 px) and on a phone (390 px) no page scrolls sideways."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login
from tests.factories import LeaseFactory

PAGES = ["/", "/cases/", "/allocation/waiting-list/", "/tenancies/leases/", "/reports/"]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("role", ["caseworker", "admin"])
def test_no_page_scrolls_sideways(browser, live_server, staff_user, role, width):
    staff_user(role, f"{role}1")
    LeaseFactory.create_batch(3)  # rows with long addresses and names in the lists
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        login(page, live_server, f"{role}1")
        wide = {}
        for path in PAGES:
            response = page.goto(f"{live_server.url}{path}")
            if response.status == 403:  # a role without the page
                continue
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                wide[path] = overflow
        assert wide == {}  # path: pixels beyond the screen's edge
    finally:
        context.close()
