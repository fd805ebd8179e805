"""The two pages the benchmarks measure every other page against: logged-in only, and what they claim."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import verified_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["bench-bare", "bench-chrome"])
def test_bench_pages__anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_bench_pages__the_bare_view_is_text_and_the_empty_page_is_the_apps_frame(client, caseworker):
    verified_client(client, caseworker)

    bare = client.get(reverse("bench-bare"))
    empty = client.get(reverse("bench-chrome"))

    assert bare.content == b"ok"
    html = empty.content.decode()
    assert 'data-testid="empty-page"' in html
    assert reverse("cases:case-list") in html  # the navigation a caseworker has on every page
    assert 'data-testid="current-user"' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html  # no 404 for the icon
    assert client.get("/static/favicon.svg").status_code == 200
