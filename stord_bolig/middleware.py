"""Session lifetime, mandatory two-factor and no-store caching, as middleware so no view can forget them."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

# Paths a logged-in but not yet verified user may reach.
_OPEN_PREFIXES = ("/static/", "/healthz", "/i18n/", "/oidc/")
_LAST_SEEN_WRITE_EVERY = 60  # seconds; avoids a session write on every request


class SessionLifetimeMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT without requests or SESSION_ABSOLUTE_TIMEOUT in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get("auth_started", now)
            last_seen = request.session.get("auth_last_seen", now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect(f"{reverse('login')}?next={request.path}")
            if now - last_seen >= _LAST_SEEN_WRITE_EVERY or "auth_last_seen" not in request.session:
                request.session["auth_last_seen"] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Every staff user must have passed a second factor before any page but login and 2FA setup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # Whether the user may see the application at all; the navigation is shown only then.
        request.second_factor_passed = (
            not settings.TWO_FACTOR_REQUIRED
            or not user.is_authenticated
            or user.is_verified()
            or getattr(request, "oidc_verified", False)
            or request.session.get("oidc_mfa", False)
        )
        if (
            not request.second_factor_passed
            and not request.path.startswith(_OPEN_PREFIXES)
            and request.path not in self._open_paths()
        ):
            has_device = user.totpdevice_set.filter(confirmed=True).exists() or user.staticdevice_set.exists()
            target = "two-factor-verify" if has_device else "two-factor-setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _open_paths() -> set[str]:
        return {reverse("login"), reverse("logout"), reverse("two-factor-verify"), reverse("two-factor-setup")}


class NoStoreMiddleware:
    """Pages and files with personal data must never be kept by a browser or proxy cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class LanguageMiddleware:
    """Nynorsk unless the person chose otherwise: the language cookie, then the user's preference, then nn.

    The browser's Accept-Language is deliberately ignored: the municipality's working language is
    nynorsk, and an English-language browser must not switch the case work to English by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            user = getattr(request, "user", None)
            language = getattr(user, "preferred_language", None) if user and user.is_authenticated else None
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
