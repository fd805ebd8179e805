"""Platform views: login with two-factor, the work list, letters, health."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import access_log_write
from .forms import LoginForm, TokenForm
from .models import AccessLog, Letter
from .worklist import worklist_for

WORKLIST_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
def two_factor_verify(request):
    if request.user.is_verified():
        return redirect(_safe_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect(_safe_next(request))
        access_log_write(request, action=AccessLog.Action.LOGIN_FAILED, purpose="wrong one-time code")
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def two_factor_setup(request):
    user = request.user
    if user.is_verified() or user.totpdevice_set.filter(confirmed=True).exists():
        return redirect(_safe_next(request))
    device = user.totpdevice_set.filter(confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(request, _("Two-factor authentication is set up."))
            return redirect(_safe_next(request))
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    qr_data_uri = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/two_factor_setup.html",
        {"form": form, "qr_data_uri": qr_data_uri, "secret": secret, "next": _safe_next(request)},
    )


@login_required
def worklist(request):
    today = timezone.localdate()
    items = worklist_for(request.user, today)
    # Overdue first; fifty at a time, so a long list stays quick to open and to read.
    page = Paginator(items, WORKLIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stord_bolig/worklist.html",
        {"items": page.object_list, "page": page, "total": len(items), "today": today},
    )


def _subject_visible(user, letter: Letter) -> bool:
    model = letter.subject_type.model_class()
    manager = getattr(model, "objects", None)
    if model is None or not hasattr(manager, "visible_to"):
        return user.is_superuser
    return manager.visible_to(user).filter(pk=letter.subject_id).exists()


@login_required
@require_GET
def letter_download(request, pk: int):
    letter = get_object_or_404(Letter.objects.select_related("subject_type"), pk=pk)
    if not _subject_visible(request.user, letter):
        access_log_write(request, action=AccessLog.Action.DENIED, case_ref=letter.case_ref, section="letter")
        raise Http404
    if letter.status != Letter.Status.RENDERED or not letter.pdf:
        raise Http404
    access_log_write(
        request, action=AccessLog.Action.DOWNLOAD, case_ref=letter.case_ref, section="letter", purpose=letter.kind
    )
    response = FileResponse(letter.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.kind}-{letter.case_ref}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico of their own accord (for a PDF, say): it is the app's SVG icon."""
    return redirect(static("favicon.svg"))


@require_GET
def healthz(request):
    """Database, Redis and a Celery worker, each reachable; 503 if any is not."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - health must report, not raise
        checks["database"] = "error"
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        checks["redis"] = "ok"
    except Exception:  # noqa: BLE001
        checks["redis"] = "error"
    if checks["redis"] == "ok":
        try:
            from .celery import app

            replies = app.control.ping(timeout=1.0)
            checks["celery"] = "ok" if replies else "no worker"
        except Exception:  # noqa: BLE001
            checks["celery"] = "error"
    else:
        checks["celery"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)


@login_required
def bench_bare(request):
    """The cheapest authenticated page: the floor the benchmarks compare every page with."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


@login_required
def bench_chrome(request):
    """An empty page in the app's own frame (navigation, header, footer): what every page costs before its
    content, measured beside the bare view."""
    return render(request, "stord_bolig/bench_chrome.html")


def permission_denied(request, exception=None):
    """403: logged as a denied attempt (who tried to reach what), then Django's usual page."""
    from django.views.defaults import permission_denied as default

    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        access_log_write(request, action=AccessLog.Action.DENIED, section="permission")
    return default(request, exception)
