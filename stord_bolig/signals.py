"""Audit receivers: logins, logouts, failed logins and lockouts go to the access log."""

from __future__ import annotations

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .access import access_log_write
from .models import AccessLog


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session["auth_started"] = int(time.time())
        request.session["auth_last_seen"] = int(time.time())
    access_log_write(request, action=AccessLog.Action.LOGIN, user=user)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        access_log_write(request, action=AccessLog.Action.LOGOUT, user=user)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    access_log_write(request, action=AccessLog.Action.LOGIN_FAILED, username=str(credentials.get("username", "")))


@receiver(user_locked_out)
def _on_lockout(sender, request, username, ip_address, **kwargs):
    access_log_write(request, action=AccessLog.Action.LOCKOUT, username=str(username or ""))


@receiver(post_migrate)
def _sync_roles(sender, **kwargs):
    # Permissions of later apps exist only after their migrations; keep groups in step each time.
    if sender.name == "reports":  # the last app: every permission exists by then
        from .roles import sync_roles

        sync_roles()
