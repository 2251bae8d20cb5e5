"""QCity settings: read from the environment, safe defaults for production.

Environment variables: DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, DEBUG, QCITY_MEDIA_ROOT,
QCITY_MAX_UPLOAD_MB. Without DATABASE_URL the embedded SQLite database in ``var/`` is used.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("QCITY_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "qcity-development-only-secret-do-not-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    _DEV_SECRET if DEBUG or env_bool("QCITY_DEV", False) else ""
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY must be set in production (or set DEBUG=1 / QCITY_DEV=1)."
    )
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "csp",
    "qcity.core",
    "qcity.plans",
    "qcity.indicators",
    "qcity.tracking",
    "qcity.assessment",
    "qcity.registry",
    "qcity.inspection",
]
# Apps whose package exists: later waves add theirs; a missing package is not an error.
INSTALLED_APPS = [
    a
    for a in INSTALLED_APPS
    if not a.startswith("qcity.") or (BASE_DIR / a.split(".")[1] / "apps.py").exists()
]
if os.environ.get("QCITY_ONLY_APPS"):  # development: work on some apps while others are mid-change
    _only = {"core", *os.environ["QCITY_ONLY_APPS"].split(",")}
    INSTALLED_APPS = [
        a for a in INSTALLED_APPS if not a.startswith("qcity.") or a.split(".")[1] in _only
    ]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qcity.core.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qcity.core.middleware.RequestContextMiddleware",
    "qcity.core.middleware.ForcePasswordChangeMiddleware",
    "qcity.core.security.AnonymousRateLimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qcity.urls"
WSGI_APPLICATION = "qcity.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

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
                "qcity.core.context_processors.navigation",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'qcity.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers work while the job runner writes; the busy timeout waits instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif os.environ.get("QCITY_TEST_DB_NAME"):
    # The test database's name (pytest-xdist adds _gw0, _gw1): scripts/test.sh makes it unique
    # per run and drops every database with that prefix at the end, whatever happened.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["QCITY_TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "qcity.core.security.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "qcity.core.security.CharacterClassValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
if env_bool("QCITY_FAST_HASHER", False):  # tests only: hashing cost dominates a suite
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Authentication (issue 10): every way in goes through qcity.core.security.sign_in, django-axes
# locks an account after core.login.max_failures failures for core.login.lock_minutes (rule
# table); rates are per address and per account; API tokens expire (qcity/core/tokens.py).
AUTHENTICATION_BACKENDS = [
    "qcity.core.security.LockoutBackend",  # django-axes' AxesStandaloneBackend
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = "qcity.core.security.axes_failure_limit"
AXES_COOLOFF_TIME = "qcity.core.security.axes_cool_off"
AXES_LOCKOUT_CALLABLE = "qcity.core.security.axes_lockout_response"
AXES_LOCKOUT_PARAMETERS = ["username"]
# No lockout per address (one wrong-password streak would lock a whole office behind its NAT):
# addresses are rate-limited instead (QCITY_LOGIN_RATE_PER_ADDRESS, security.sign_in).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # core.LoginLog is the login log
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "qcity.core.security.client_ip"
# Behind nginx: QCITY_CLIENT_IP_HEADER=X-Real-IP (believed only from QCITY_TRUSTED_PROXIES).
QCITY_CLIENT_IP_HEADER = os.environ.get("QCITY_CLIENT_IP_HEADER", "")
QCITY_TRUSTED_PROXIES = os.environ.get("QCITY_TRUSTED_PROXIES", "127.0.0.1,::1").split(",")
QCITY_LOGIN_RATE_PER_ACCOUNT = os.environ.get("QCITY_LOGIN_RATE_PER_ACCOUNT", "10/min")
QCITY_LOGIN_RATE_PER_ADDRESS = os.environ.get("QCITY_LOGIN_RATE_PER_ADDRESS", "30/min")
QCITY_ANON_PAGE_RATE = os.environ.get("QCITY_ANON_PAGE_RATE", "120/min")
QCITY_TOKEN_LIFETIME_SECONDS = int(os.environ.get("QCITY_TOKEN_LIFETIME_SECONDS", str(7 * 86400)))
QCITY_TOKEN_IDLE_SECONDS = int(os.environ.get("QCITY_TOKEN_IDLE_SECONDS", "7200"))

# Rate-limit counters live in the cache: Redis when REDIS_URL (or CACHE_URL) is set, so that
# every worker process shares them; otherwise per-process memory.
_cache_url = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Session timeout (等保): idle sessions end after 30 minutes; every request renews.
SESSION_COOKIE_AGE = int(os.environ.get("QCITY_SESSION_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("QCITY_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("QCITY_MEDIA_ROOT", VAR_DIR / "media"))

# Uploads: the limit is stated on every upload form and checked before a file is read.
QCITY_MAX_UPLOAD_MB = int(os.environ.get("QCITY_MAX_UPLOAD_MB", "20"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# the one upload path (qcity/core/uploads.py): counted while a body streams in, zip directories
# of .xlsx/.docx checked before a reader opens them, error records kept short
FILE_UPLOAD_HANDLERS = [
    "qcity.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
QCITY_UPLOAD_ZIP_MAX_ENTRIES = int(os.environ.get("QCITY_UPLOAD_ZIP_MAX_ENTRIES", "2000"))
QCITY_UPLOAD_ZIP_MAX_UNCOMPRESSED_MB = int(
    os.environ.get("QCITY_UPLOAD_ZIP_MAX_UNCOMPRESSED_MB", "100")
)
QCITY_UPLOAD_ZIP_MAX_RATIO = int(os.environ.get("QCITY_UPLOAD_ZIP_MAX_RATIO", "100"))
QCITY_IMPORT_MAX_ERRORS = int(os.environ.get("QCITY_IMPORT_MAX_ERRORS", "1000"))
QCITY_IMPORT_ERROR_TEXT_MAX = 300

# Background jobs run inline (tests, single-process demos) or by `qcity runjobs`.
QCITY_JOBS_INLINE = env_bool("QCITY_JOBS_INLINE", False)
QCITY_NOTIFY_ADAPTERS = ["qcity.core.notify.LogAdapter"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # the token class first: its WWW-Authenticate header makes a refused token a 401
        "qcity.core.tokens.ApiTokenAuthentication",
        "qcity.core.tokens.PasswordCheckedSessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "qcity.core.tokens.AnonThrottle",
        "qcity.core.tokens.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("QCITY_API_ANON_RATE", "60/min"),
        "user": os.environ.get("QCITY_API_USER_RATE", "1200/min"),
        "token": os.environ.get("QCITY_API_TOKEN_RATE", "10/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qcity.core.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "QCity 质量强市平台 API",
    "DESCRIPTION": "Plans, execution, supervision and assessment.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and the docs are for logged-in users (or token holders) in production.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if DEBUG
        else "rest_framework.permissions.IsAuthenticated"
    ],
    # every operation also documents its error answers (qcity/core/api_schema.py)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "qcity.core.api_schema.declare_error_responses",
    ],
}
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
FILTERS_EMPTY_CHOICE_LABEL = _("全部")

# Every log line carries the request id (the change log's too); server errors (django.request,
# 5xx with the traceback, 4xx as warnings) are logged in production as well, not only in DEBUG.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "qcity.core.logfilter.RequestIdLogFilter"}},
    "formatters": {
        "qcity": {
            "format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s %(path)s] "
            "%(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "qcity",
        }
    },
    "loggers": {
        "qcity": {"handlers": ["console"], "level": os.environ.get("QCITY_LOG_LEVEL", "INFO")},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# Content-Security-Policy (django-csp): scripts only from our own static files (no inline
# script, no eval: page data travels in json_script blocks and data- attributes read by
# qcity/static/qcity/*.js). Style sheets and <style> elements only from 'self' as well (htmx's
# injected indicator style is switched off in base.html and lives in qcity.css); style=""
# attributes stay allowed (style-src-attr) because templates size charts with them and
# ECharts writes its tooltips as HTML with inline styles: CSS in an attribute cannot run code.
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REFERRER_POLICY = "same-origin"
    # Behind nginx with TLS (docs/deploy.md); the embedded demo on 127.0.0.1 sets QCITY_DEV=1.
    _tls = not env_bool("QCITY_DEV", False)
    SESSION_COOKIE_SECURE = _tls
    CSRF_COOKIE_SECURE = _tls
    SECURE_SSL_REDIRECT = _tls and env_bool("QCITY_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000 if _tls else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _tls
    SECURE_HSTS_PRELOAD = _tls
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
