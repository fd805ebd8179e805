"""Security properties of the platform: lockout, two-factor, sessions, audit log, caching, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from stord_bolig.models import AccessLog
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login__locks_out_username_after_five_failures(client, caseworker, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "kari", "wrong-password")
    response = _login(client, "kari", "a-long-test-password")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessLog.objects.filter(action="lockout", username="kari").exists()
    assert AccessLog.objects.filter(action="login_failed", username="kari").count() >= settings.AXES_FAILURE_LIMIT


def test_login__locks_out_ip_across_usernames(client, caseworker, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess{n}", "wrong", ip="10.9.9.9")
    response = _login(client, "kari", "a-long-test-password", ip="10.9.9.9")
    assert response.status_code == 429


def test_login__rotated_forwarded_for_does_not_escape_lockout(client, caseworker, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "kari", "password": "wrong"},
            REMOTE_ADDR="10.0.0.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = _login(client, "kari", "a-long-test-password", ip="10.0.0.7")
    assert response.status_code == 429


def test_login__empty_username_failures_lock_the_ip(client, caseworker, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "", "wrong", ip="10.0.0.8")
    assert _login(client, "kari", "a-long-test-password", ip="10.0.0.8").status_code == 429


def test_login__good_password_then_second_factor_required(client, caseworker):
    response = _login(client, "kari", "a-long-test-password")
    assert response.status_code == 302
    response = client.get(reverse("worklist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-setup"))


def test_two_factor__pages_before_the_second_factor_show_no_menu_but_log_out(client, caseworker):
    _login(client, "kari", "a-long-test-password")
    setup = client.get(reverse("two-factor-setup")).content.decode()
    assert reverse("cases:case-list") not in setup and reverse("allocation:waiting-list") not in setup
    assert f'action="{reverse("logout")}"' in setup

    verified = verified_client(client, caseworker).get(reverse("worklist")).content.decode()
    assert reverse("cases:case-list") in verified


def test_favicon_ico__leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(".svg")
    assert client.head("/favicon.ico").status_code == 302


def test_two_factor__static_code_lets_the_user_in_and_rotates_session(client, caseworker):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.create(user=caseworker, name="backup")
    StaticToken.objects.create(device=device, token="12345678")
    _login(client, "kari", "a-long-test-password")
    before = client.session.session_key
    assert client.get(reverse("worklist"))["Location"].startswith(reverse("two-factor-verify"))
    response = client.post(reverse("two-factor-verify"), {"token": "12345678", "next": "/"})
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.get(reverse("worklist")).status_code == 200
    # single use: the same code does not work twice
    assert not StaticToken.objects.filter(device=device, token="12345678").exists()


def test_two_factor__wrong_code_is_refused_and_logged(client, caseworker):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.create(user=caseworker, name="backup")
    StaticToken.objects.create(device=device, token="12345678")
    _login(client, "kari", "a-long-test-password")
    response = client.post(reverse("two-factor-verify"), {"token": "00000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert client.get(reverse("worklist")).status_code == 302
    assert AccessLog.objects.filter(action="login_failed", username="kari", purpose="wrong one-time code").exists()


def test_two_factor__required_on_every_staff_page(client, caseworker):
    client.force_login(caseworker)
    for url in [reverse("worklist"), reverse("cases:case-list"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"]


def test_session__idle_timeout_logs_out(caseworker_client, settings):
    session = caseworker_client.session
    session["auth_last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = caseworker_client.get(reverse("worklist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in caseworker_client.session


def test_session__absolute_lifetime_logs_out_an_active_user(caseworker_client, settings):
    session = caseworker_client.session
    session["auth_started"] = int(time.time()) - settings.SESSION_ABSOLUTE_TIMEOUT - 5
    session["auth_last_seen"] = int(time.time())
    session.save()
    assert caseworker_client.get(reverse("worklist"))["Location"].startswith(reverse("login"))


def test_session__logout_ends_the_session(caseworker_client):
    key = caseworker_client.session.session_key
    caseworker_client.post(reverse("logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert caseworker_client.get(reverse("worklist")).status_code == 302


def test_session__deactivated_user_is_out_on_next_request(caseworker_client, caseworker):
    caseworker.is_active = False
    caseworker.save()
    assert caseworker_client.get(reverse("worklist")).status_code == 302


def test_pages__never_cached(caseworker_client):
    response = caseworker_client.get(reverse("worklist"))
    assert "no-store" in response["Cache-Control"]


def test_pages__content_security_policy_forbids_inline_scripts(caseworker_client):
    policy = caseworker_client.get(reverse("worklist"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_access_log__rows_cannot_be_changed_or_deleted(caseworker):
    row = AccessLog.objects.create(username="kari", action="read", case_ref="S-2026-0001")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(case_ref="S-0000-0000")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM stord_bolig_accesslog")
    row.refresh_from_db()
    assert row.case_ref == "S-2026-0001"


def test_healthz__reports_database_and_redis(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "ok"
    assert response.status_code in (200, 503)  # 503 only when no Celery worker answers


def test_deploy_checks__clean_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "STORD_TESTING": "0",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-123456",
        "ALLOWED_HOSTS": "bolig.stord.kommune.no",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings__production_refuses_to_start_without_secret_key():
    env = {**os.environ, "DEBUG": "0", "STORD_TESTING": "0", "ALLOWED_HOSTS": "x"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_permission_denied__is_logged(client, make_user):
    nav = make_user("nav_advisor", username="nils")
    response = verified_client(client, nav).get(reverse("cases:case-list"))
    assert response.status_code == 403
    assert AccessLog.objects.filter(action="denied", username="nils", section="permission").exists()
