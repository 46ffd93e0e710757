"""Frontdoor settings, read from environment variables (documented in docs/configuration.md).

SQLite in the data directory unless DATABASE_URL is set. FRONTDOOR_PRODUCTION=1 turns on
the secure settings and refuses to start without a real secret key and host names.
"""

import ipaddress
import os
import re
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not re.fullmatch(r"[0-9]+", value):
        raise ImproperlyConfigured(f"{name} must be a whole number, not “{value}”.")
    return int(value)


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_flag("FRONTDOOR_PRODUCTION")
DEBUG = env_flag("FRONTDOOR_DEBUG") and not PRODUCTION
DATA_DIR = Path(env("FRONTDOOR_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()


def _secret_key():
    key = env("FRONTDOOR_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("FRONTDOOR_SECRET_KEY must be set when FRONTDOOR_PRODUCTION=1.")
    # Outside production a per-checkout key is kept beside the SQLite file, so sessions
    # survive restarts without anyone having to invent a secret for the demo.
    key_file = DATA_DIR / "secret_key"
    try:
        if not key_file.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            key_file.write_text(get_random_secret_key())
            key_file.chmod(0o600)
        return key_file.read_text().strip()
    except OSError as error:  # a file in the way, or made by another user (root's migrate)
        raise ImproperlyConfigured(
            f"FRONTDOOR_DATA_DIR {DATA_DIR} cannot be used: {error.filename}: {error.strerror}."
        ) from error


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [h.strip() for h in env("FRONTDOOR_ALLOWED_HOSTS").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "FRONTDOOR_ALLOWED_HOSTS must be set when FRONTDOOR_PRODUCTION=1."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env("FRONTDOOR_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "frontdoor.core",
    "frontdoor.directory",
    "frontdoor.events",
    "frontdoor.search",
    "frontdoor.insights",
    "frontdoor.opendata",
]

MIDDLEWARE = [
    # Outermost, so the answers of every middleware below (redirects, the guard's 400) get it.
    "frontdoor.opendata.middleware.OpenDataCorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "frontdoor.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "frontdoor.core.middleware.RejectMalformedQueryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "frontdoor.urls"
WSGI_APPLICATION = "frontdoor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontdoor.core.context_processors.branding",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'frontdoor.sqlite3'}",
            conn_max_age=60,
            conn_health_checks=True,
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database address such as "
        f"postgres://user:password@host:5432/name ({error})."
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while `frontdoor generate` or an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("FRONTDOOR_TIME_ZONE", "Europe/London")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(
        f"FRONTDOOR_TIME_ZONE must be a time zone name such as Europe/London, not “{TIME_ZONE}”."
    )
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"  # served to anyone: logos
PRIVATE_ROOT = DATA_DIR / "private"  # never served: uploaded calendars
# Serve static files straight from the apps, so no collectstatic step is needed to run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Branding defaults; a curator can override each in the admin (core.Branding).
FRONTDOOR_SITE_NAME = env("FRONTDOOR_SITE_NAME", "Tech MK")
FRONTDOOR_REGION_NAME = env("FRONTDOOR_REGION_NAME", "Milton Keynes")
FRONTDOOR_LOGO_URL = env("FRONTDOOR_LOGO_URL")
FRONTDOOR_PRIMARY_COLOUR = env("FRONTDOOR_PRIMARY_COLOUR", "#0b5394")
FRONTDOOR_ACCENT_COLOUR = env("FRONTDOOR_ACCENT_COLOUR", "#8a3b00")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Scripts, styles, fonts and requests only from this site. Styles may also be inline: the
# branding colours are set per site in the page. Images may come from any https address: a
# logo or map tiles can live elsewhere, and an image cannot run code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_flag("FRONTDOOR_SSL_REDIRECT", True)
    if not SECURE_SSL_REDIRECT:
        # Turned off on purpose, for a proxy that already redirects (docs/configuration.md):
        # the deploy check's warning about it would only be noise.
        SILENCED_SYSTEM_CHECKS = ["security.W008"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("FRONTDOOR_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_flag("FRONTDOOR_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("FRONTDOOR_LOG_LEVEL", "WARNING").upper()},
}
if LOGGING["root"]["level"] not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        "FRONTDOOR_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, "
        f"not “{LOGGING['root']['level']}”."
    )

# Open data
# The address the site is published at (https://tech.example.org), for canonical links, the
# sitemap and absolute URLs in the API when a proxy hides the real host; blank uses the request.
FRONTDOOR_SITE_URL = env("FRONTDOOR_SITE_URL").rstrip("/")
# The licence every open-data response and download carries.
FRONTDOOR_DATA_LICENCE_NAME = env("FRONTDOOR_DATA_LICENCE_NAME", "Open Government Licence v3.0")
FRONTDOOR_DATA_LICENCE_URL = env(
    "FRONTDOOR_DATA_LICENCE_URL",
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
)
# Requests per client address to the API, downloads and Open Referral, counted in Django's
# cache: the default local-memory cache counts per process, so configure a shared cache
# to enforce one limit across several processes.
FRONTDOOR_API_RATE = env("FRONTDOOR_API_RATE", "300/minute")
# Calendar feeds on the hub's own network (an intranet calendar server, a test server):
# off, so a feed link cannot make the server fetch what only it can reach.
FRONTDOOR_FEEDS_PRIVATE_NETWORK = env_flag("FRONTDOOR_FEEDS_PRIVATE_NETWORK")
if not re.fullmatch(r"[0-9]+/(second|minute|hour|day)", FRONTDOOR_API_RATE):
    raise ImproperlyConfigured(
        f"FRONTDOOR_API_RATE must read like 300/minute (per second, minute, hour or day), "
        f"not “{FRONTDOOR_API_RATE}”."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "frontdoor.opendata.meta.FormatNegotiation",
    "DEFAULT_THROTTLE_CLASSES": ["frontdoor.opendata.throttling.OpenDataRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # Rate limits count per client address. X-Forwarded-For is believed only through this
    # many proxies of our own; otherwise a client could rotate it to dodge the limit.
    "NUM_PROXIES": env_int("FRONTDOOR_TRUSTED_PROXIES", 0),
}
# The proxy's own address, whose X-Forwarded-* headers `frontdoor serve` believes (with
# FRONTDOOR_TRUSTED_PROXIES above 0); "*" for any, when only the proxy can reach the server.
FRONTDOOR_PROXY_ADDRESS = env("FRONTDOOR_PROXY_ADDRESS", "127.0.0.1")
if FRONTDOOR_PROXY_ADDRESS != "*":
    try:
        ipaddress.ip_address(FRONTDOOR_PROXY_ADDRESS)
    except ValueError:
        raise ImproperlyConfigured(
            f"FRONTDOOR_PROXY_ADDRESS must be an IP address or *, not “{FRONTDOOR_PROXY_ADDRESS}”."
        ) from None
SPECTACULAR_SETTINGS = {
    "TITLE": "Frontdoor open data API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": False,
}

# Search
# The search index is derived data, rebuilt from the database by `frontdoor search rebuild`.
SEARCH_INDEX_DIR = Path(env("FRONTDOOR_SEARCH_INDEX_DIR", str(DATA_DIR / "search"))).resolve()
# A map tile URL template such as https://tile.example.org/{z}/{x}/{y}.png; empty means the
# search page draws its own map of the results and fetches nothing.
SEARCH_TILE_URL = env("FRONTDOOR_SEARCH_TILE_URL")
SEARCH_TILE_ATTRIBUTION = env("FRONTDOOR_SEARCH_TILE_ATTRIBUTION")
