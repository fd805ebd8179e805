"""Browser tests: Playwright driving Debian's Chromium against a live server, with an axe-core check."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from tests.factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
_xdg = tempfile.mkdtemp(prefix="stord-e2e-")
os.environ.setdefault("XDG_CONFIG_HOME", _xdg)
os.environ.setdefault("XDG_CACHE_HOME", _xdg)

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a-long-test-password"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args():
    # axe-core is injected as a script; CSP would (rightly) block it, so the test context bypasses CSP.
    return {"bypass_csp": True, "locale": "en-US", "viewport": {"width": 1280, "height": 900}}


def axe_check(page) -> None:
    """Fail on serious or critical accessibility violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]


@pytest.fixture
def staff_user(transactional_db):
    def make(role: str, username: str, code: str = "11112222", **kwargs):
        user = UserFactory(username=username, role=role, password=PASSWORD, **kwargs)
        device = StaticDevice.objects.create(user=user, name="backup")
        StaticToken.objects.create(device=device, token=code)
        return user

    return make


def login(page, live_server, username: str, code: str = "11112222") -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form [type=submit]").click()
    page.fill("#id_token", code)
    page.locator("main form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
