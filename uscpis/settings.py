"""Settings for USC-PIS Reports, all read from the environment in this one module.

The embedded default needs nothing set: SQLite in the project folder, report files
under MEDIA_ROOT and the database task queue. Production sets DATABASE_URL,
SECRET_KEY, ALLOWED_HOSTS and turns DEBUG off (the default).
"""

import datetime as dt
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


def env_networks(name):
    """Comma-separated IP addresses or networks (``10.0.0.0/8``), each checked."""
    entries = env_list(name)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as error:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not an IP address or network") from error
    return frozenset(entries)


def env_float(name, default):
    value = os.environ.get(name, "")
    try:
        return float(value) if value else default
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from error


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "accounts",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_tasks",
    # reports comes before django_tasks_db so that its db_worker (which first
    # recovers interrupted reports) is the one `manage.py db_worker` runs.
    "reports",
    "django_tasks_db",
    "patients",
    "visits",
    "feedback",
    "campaigns",
    "demo",
]

MIDDLEWARE = [
    "uscpis.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every response made past the static files: Cache-Control: no-store (health data, tokens).
    "uscpis.no_store.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out page login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "uscpis.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "uscpis.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker share one SQLite file: WAL lets readers go on
    # while the worker writes, and IMMEDIATE transactions avoid upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Manila")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Report files on local disk (the default storage; download tier 3 after a switch to Cloudinary).
REPORT_MEDIA_DIR = MEDIA_ROOT / "reports"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Report files: private (0600 in folders 0700), never served by URL; read back through the download API.
    "reports": {
        "BACKEND": "reports.local_storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": REPORT_MEDIA_DIR},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Report files go to Cloudinary, as private `authenticated` raw resources, when the SDK's own
# variables configure it: CLOUDINARY_URL (cloudinary://KEY:SECRET@CLOUD, whose query parameters
# such as upload_prefix=... the SDK reads too) or CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY and
# CLOUDINARY_API_SECRET (with CLOUDINARY_UPLOAD_PREFIX). Otherwise they stay in REPORT_MEDIA_DIR.
CLOUDINARY_URL = os.environ.get("CLOUDINARY_URL", "")
_cloudinary_parts = {
    key: os.environ.get(f"CLOUDINARY_{key.upper()}", "")
    for key in ("cloud_name", "api_key", "api_secret", "upload_prefix")
}
if CLOUDINARY_URL and not CLOUDINARY_URL.startswith("cloudinary://"):
    raise ImproperlyConfigured("CLOUDINARY_URL must look like cloudinary://API_KEY:API_SECRET@CLOUD_NAME")
if any(_cloudinary_parts[key] for key in ("cloud_name", "api_key", "api_secret")) and not all(
    _cloudinary_parts[key] for key in ("cloud_name", "api_key", "api_secret")
):
    raise ImproperlyConfigured("Set all of CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY and CLOUDINARY_API_SECRET")
if CLOUDINARY_URL or _cloudinary_parts["cloud_name"]:
    STORAGES["reports"] = {
        "BACKEND": "reports.storage.CloudinaryStorage",
        "OPTIONS": {
            "url": CLOUDINARY_URL,
            **_cloudinary_parts,
        },
    }
# Cloudinary limits (reports.storage): connect + download + one upload stay well under the web timeout (30 s).
REPORT_STORAGE_CONNECT_TIMEOUT = env_float("REPORT_STORAGE_CONNECT_TIMEOUT", 3)
REPORT_STORAGE_READ_TIMEOUT = env_float("REPORT_STORAGE_READ_TIMEOUT", 10)
REPORT_STORAGE_DOWNLOAD_SECONDS = env_float("REPORT_STORAGE_DOWNLOAD_SECONDS", 15)
REPORT_STORAGE_LINK_SECONDS = env_int("REPORT_STORAGE_LINK_SECONDS", 60)

# Background tasks: "db" (the default) queues them in the database, worked by `manage.py db_worker`;
# "rq" queues them in Redis at REDIS_URL for workers on many machines, worked by
# `manage.py rqworker --job-class django_tasks_rq.Job`. A dotted backend path also works.
TASKS_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "") or "db"
TASKS = {
    "default": {
        "BACKEND": TASKS_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND),
    }
}
REDIS_URL = os.environ.get("REDIS_URL", "")
if TASKS["default"]["BACKEND"] == TASKS_BACKENDS["rq"]:
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL, e.g. redis://127.0.0.1:6379/0")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}

# The cache (report data, dashboards, API throttles): Redis at CACHE_URL or REDIS_URL when set,
# shared by every process; otherwise each process's own memory.
CACHE_URL = os.environ.get("CACHE_URL", "") or REDIS_URL
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "uscpis"}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# How long report data and a user's dashboard stay cached; their keys change with the data anyway.
REPORT_CACHE_SECONDS = env_int("REPORT_CACHE_SECONDS", 3600)
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 30)

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/reports"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Logging in: one lockout (django-axes) for the login page, the admin's and the API's. After
# LOGIN_FAILURE_LIMIT failed logins for one username (from any address), or from one client
# address (for any usernames), each less than LOGIN_LOCKOUT_MINUTES after the one before, that
# username or address is refused, even with the right password, until LOGIN_LOCKOUT_MINUTES after
# the last counted failure; attempts while locked out are not counted. ADMIN unlocks in Django admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "uscpis.client_address.lockout_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_page"
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME <= dt.timedelta(0):
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be at least 1")

# API tokens (django-rest-knox): stored as SHA-512 digests, sent as `Authorization: Token <token>`,
# each ending API_TOKEN_TTL seconds after the login that made it, however much it is used (not
# sliding). Logout, a password change and deactivation end them sooner.
API_TOKEN_TTL = env_int("API_TOKEN_TTL", 10 * 60 * 60)
if API_TOKEN_TTL < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL must be at least 1 (seconds)")
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(seconds=API_TOKEN_TTL),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

# Mail: scheduled reports, and password reset. With EMAIL_HOST set, mail goes to that SMTP server
# (the reset pages are routed only then). Without it, with DEBUG on (make run) or EMAIL_FILE_PATH
# set, each message is written as a file to EMAIL_FILE_PATH, so schedules can be tried with no mail
# server; in production it is not, so no mail is left on a disk (check --deploy warns).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
MAIL_TO_FILES = not EMAIL_HOST and (DEBUG or "EMAIL_FILE_PATH" in os.environ)
EMAIL_BACKEND = f"django.core.mail.backends.{'filebased' if MAIL_TO_FILES else 'smtp'}.EmailBackend"
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", BASE_DIR / "var" / "mail"))
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("Set one of EMAIL_USE_SSL (port 465) and EMAIL_USE_TLS (STARTTLS, port 587)")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "") or f"reports@{EMAIL_HOST or 'localhost'}"
PASSWORD_RESET_ENABLED = bool(EMAIL_HOST)
# A reset link works once, for an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes unauthenticated answers 401, not 403.
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "reports.api.pagination.PageNumberPagination",
    "DEFAULT_RENDERER_CLASSES": ["reports.api.renderers.PlainTextJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": ["reports.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "reports.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {
        "report_generation": os.environ.get("THROTTLE_REPORT_GENERATION", "60/hour"),
        # Requests without valid credentials, per client network (IPv4 address, IPv6 /64).
        "anonymous": os.environ.get("THROTTLE_ANONYMOUS", "60/minute"),
    },
}
# The largest JSON body the API reads; report requests are a few hundred bytes.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "USC-PIS Reports API",
    "DESCRIPTION": "Generate, list and download the clinic's reports. Session or token authentication.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "reports.models.ReportStatus",
        "DeliveryStatusEnum": "reports.models.DeliveryStatus",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reports.api.schema.document_error_codes",
    ],
}

# Content Security Policy: the pages load only this site's own scripts, styles and images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"

# Proxies (addresses or networks) whose X-Forwarded-For and X-Forwarded-Proto are believed: client
# addresses (lockout, throttles, audit) come from uscpis.client_address, and a request is HTTPS
# by X-Forwarded-Proto only when it came from one of them (uscpis/middleware.py).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None

# Report periods may not start before this day (older dates are typing mistakes).
REPORT_EARLIEST_DATE = dt.date.fromisoformat(os.environ.get("REPORT_EARLIEST_DATE", "2000-01-01"))

# How long a completed report's file is kept before reports_cleanup expires it.
REPORT_RETENTION_DAYS = env_int("REPORT_RETENTION_DAYS", 30)
# A GENERATING run whose heartbeat is older than this is considered dead.
REPORT_LEASE_SECONDS = env_int("REPORT_LEASE_SECONDS", 300)
# How often every worker dispatches the report schedules that are due (reports.services.scheduling).
REPORT_DISPATCH_SECONDS = env_int("REPORT_DISPATCH_SECONDS", 60)
# How many times one report is attempted before it is FAILED for good.
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3)
# Storing a report file: attempts, and the wait before the first retry (doubled for each next one).
REPORT_STORE_ATTEMPTS = env_int("REPORT_STORE_ATTEMPTS", 4)
REPORT_STORE_BACKOFF_SECONDS = env_float("REPORT_STORE_BACKOFF_SECONDS", 1)
# The worker's write-through copy of each report file (download tier 2), kept while at least
# this much disk stays free.
REPORT_LOCAL_COPY_DIR = Path(os.environ.get("REPORT_LOCAL_COPY_DIR", MEDIA_ROOT / "report-copies"))
REPORT_LOCAL_COPY_MIN_FREE_MB = env_int("REPORT_LOCAL_COPY_MIN_FREE_MB", 512)
# A download no tier could serve answers 503 with this Retry-After (seconds).
REPORT_DOWNLOAD_RETRY_AFTER = env_int("REPORT_DOWNLOAD_RETRY_AFTER", 60)
# A run that lost its database connection is queued again after this many seconds.
REPORT_RETRY_DELAY_SECONDS = env_int("REPORT_RETRY_DELAY_SECONDS", 10)
# Scheduled reports (reports.services.scheduling, reports.mail). SITE_URL is where the mails link
# to (the /reports page and the unsubscribe page), e.g. https://reports.clinic.example.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A file is attached (when its schedule asks and small counts are hidden in it) only up to this size.
REPORT_EMAIL_MAX_BYTES = env_int("REPORT_EMAIL_MAX_BYTES", 10 * 1024 * 1024)
# An occurrence's report is requested up to this many times, waiting 1, 2, 4 ... minutes (at most 15) between.
REPORT_SCHEDULE_ATTEMPTS = env_int("REPORT_SCHEDULE_ATTEMPTS", 3)
# A schedule pauses itself after this many failed occurrences in a row.
REPORT_SCHEDULE_MAX_FAILURES = env_int("REPORT_SCHEDULE_MAX_FAILURES", 3)
# A mail the server refused or could not take is sent again up to this many attempts in all,
# waiting 1, 2, 4 ... minutes (at most an hour); a sender that died mid-send loses its claim after
# REPORT_DELIVERY_CLAIM_SECONDS and the mail is sent again with the same Message-ID.
REPORT_DELIVERY_ATTEMPTS = env_int("REPORT_DELIVERY_ATTEMPTS", 8)
REPORT_DELIVERY_CLAIM_SECONDS = env_int("REPORT_DELIVERY_CLAIM_SECONDS", 300)
# Small-cell suppression hides counts from 1 to this (CMS cell-suppression policy: 1 to 10).
SMALL_CELL_THRESHOLD = env_int("SMALL_CELL_THRESHOLD", 10)
if SMALL_CELL_THRESHOLD < 1:
    raise ImproperlyConfigured("SMALL_CELL_THRESHOLD must be at least 1")
# The notice every PDF page's footer prints under the report's title; set empty for none.
REPORT_CONFIDENTIALITY_NOTICE = os.environ.get(
    "REPORT_CONFIDENTIALITY_NOTICE", "Confidential \N{EM DASH} contains health information"
)

# Error pages (DEBUG) and error reports hide URLs and DSNs, and any value with credentials in a URL.
DEFAULT_EXCEPTION_REPORTER_FILTER = "uscpis.error_reports.SecretSettingsFilter"

# /healthz shows its checks and the queue to ADMIN and to `Authorization: Bearer <HEALTHZ_TOKEN>`;
# anyone else gets only the status. Unset: no token opens the details.
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")
if HEALTHZ_TOKEN and len(HEALTHZ_TOKEN) < 32:
    raise ImproperlyConfigured("HEALTHZ_TOKEN must be at least 32 characters (e.g. secrets.token_urlsafe(32))")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Not its version banner at every start; failed logins and lockouts are still logged.
        "axes.apps": {"level": "WARNING"},
    },
}

if not DEBUG:
    # Production runs behind HTTPS: `manage.py check --deploy` passes with these defaults.
    # The test suite and local system tests serve plain HTTP on 127.0.0.1 and turn the
    # redirect and secure cookies off through the environment.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_HTTPONLY = True
    SECURE_REFERRER_POLICY = "same-origin"
