"""Writing the access log: every read of a person's case data, every denial, every lockout."""

from __future__ import annotations

from django.http import HttpRequest

from .models import AccessLog


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # axes resolves the client address with the configured proxy count (django-ipware)
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    return ip or None


def access_log_write(
    request: HttpRequest | None,
    *,
    action: str,
    case_ref: str = "",
    person_ref: str = "",
    section: str = "",
    purpose: str = "",
    user=None,
    username: str = "",
) -> AccessLog:
    """Append one access-log row; it can never be changed or deleted afterwards."""
    user = user or (getattr(request, "user", None) if request is not None else None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    return AccessLog.objects.create(
        user_id=user.pk if authenticated else None,
        username=(user.get_username() if authenticated else username)[:150],
        role=(getattr(user, "primary_role", "") if authenticated else "")[:40],
        action=action,
        case_ref=case_ref[:40],
        person_ref=person_ref[:40],
        section=section[:60],
        purpose=purpose[:120],
        ip=client_ip(request),
        path=(request.get_full_path()[:300] if request is not None else ""),
    )
