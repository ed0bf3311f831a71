"""Settings for the 白藤 old-estate renovation platform.

Everything that differs between machines comes from environment variables;
`.env.example` documents each one.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

# Fail closed: production mode unless DEBUG=1 is set. `make run` and the test
# settings (baitang/settings_test.py) set it themselves.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Production mode (DEBUG unset or 0) needs a real SECRET_KEY of at least 50 "
        "characters. For development, set DEBUG=1 (make run and the tests do)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "baitang.admin_site.WorkplaceAdminConfig",  # django.contrib.admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "baitang",
    "communities",
    "surveys",
    "projects",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "baitang.middleware.RenewSessionMiddleware",
    "baitang.middleware.PrivateApiResponsesMiddleware",
    "baitang.middleware.BrowsableApiStylesMiddleware",
    "baitang.middleware.RefuseNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lockout into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "baitang.urls"
WSGI_APPLICATION = "baitang.wsgi.application"
ASGI_APPLICATION = "baitang.asgi.application"

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
                "baitang.context_processors.platform",
            ],
        },
    },
]

# PostgreSQL only. `make run` starts an embedded server and sets DATABASE_URL
# itself when it is unset; everything else defaults to the local server.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/baitang"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at a PostgreSQL server.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "baitang.User"
LOGIN_URL = "admin:login"
# Where a login lands when its ?next= is missing or refused (another host).
LOGIN_REDIRECT_URL = "admin:index"
# Staff sessions last a working day from their last request, renewed by use
# at most every SESSION_RENEW_SECONDS (baitang.middleware.RenewSessionMiddleware).
# Anonymous visitors (residents) get no session, so cached pages stay cached.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 60 * 60))
SESSION_RENEW_SECONDS = 5 * 60
CSRF_FAILURE_VIEW = "baitang.views.csrf_failure"

# Login brute-force protection (django-axes, baitang/lockout.py). After
# LOGIN_FAILURE_LIMIT failed logins for one username, or from one address,
# within LOGIN_LOCKOUT_MINUTES, that username or address is refused, right
# password or not, until the period passes or street staff lift the lockout in
# the admin (登录失败记录). A failure during a lockout restarts the period.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(
    minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30"))
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "baitang.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "baitang.lockout.locked_out"
# Our own admin for the attempts (street staff only, in Chinese: baitang/admin.py).
AXES_ENABLE_ADMIN = False
# Successful logins are not logged a second time (User.last_login has the
# latest); nobody would read that table, and it would grow for ever.
AXES_DISABLE_ACCESS_LOG = True
# No "AXES: BEGIN" line on stdout at every start (commands print data there);
# failures and lockouts are still logged.
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files are served by communities.media_views after a permission
# check. Behind nginx, set the internal location that maps to MEDIA_ROOT
# (X-Accel-Redirect); behind Apache or lighttpd, the X-Sendfile header name.
# Both unset: Django sends the file itself.
MEDIA_ACCEL_REDIRECT_PREFIX = os.environ.get("MEDIA_ACCEL_REDIRECT_PREFIX", "")
MEDIA_SENDFILE_HEADER = os.environ.get("MEDIA_SENDFILE_HEADER", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# In development whitenoise serves straight from the apps' static folders;
# production serves the collected, compressed files with hashed names.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Redis is the broker and cache when REDIS_URL is set. Without it, `make run`
# still runs a worker and beat through kombu's filesystem transport in var/.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
DJANGO_CELERY_BEAT_TZ_AWARE = True

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@baiteng.local")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "baitang.search.NormalizedSearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "baitang.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "baitang.api.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "白藤街道老旧小区改造管理平台 API",
    "DESCRIPTION": "Estate register, resident order menu, projects and follow-up.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set where several models name a field alike.
    "ENUM_NAME_OVERRIDES": {
        "ProblemStatusEnum": "communities.models.Problem.Status",
        "CampaignStatusEnum": "surveys.models.Campaign.Status",
        "VoteStatusEnum": "surveys.models.Vote.Status",
        "ReplyStatusEnum": "surveys.models.Reply.Status",
        "ReplyAnswerEnum": "surveys.api.serializers.REPLY_ANSWERS",
        "MatterEnum": "surveys.models.MATTER_CHOICES",
    },
}

# HTTPS hardening, on whenever the platform runs in production mode.
HTTPS = env_bool("HTTPS", not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles only from our own
# files, no inline script, event-handler attribute or style attribute (bar
# widths are classes). A page that must inline one may use
# nonce="{{ request.csp_nonce }}", never on a cached page (the resident home
# page): the cached body would carry a stale nonce. data: images are Swagger
# UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # Household access codes sit in resident URLs: never written in full.
    "filters": {"mask_secrets": {"()": "baitang.log_filters.MaskSecretPaths"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["mask_secrets"],
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own handlers (console in DEBUG, mail_admins) would write
        # request paths unmasked, and the console doubled every line: its
        # records go through the root handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}

PLATFORM_TITLE = _("白藤街道老旧小区改造管理平台")
# The address residents reach the site at: household slips print it and their
# QR codes open it (surveys/slips.py), so it must work from residents' phones.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Estate register rules (DOMAIN.md: keep policy values as settings) ---
# Estates completed up to and including this year are in the old-estate register.
REGISTER_BUILD_YEAR_CUTOFF = int(os.environ.get("REGISTER_BUILD_YEAR_CUTOFF", "2004"))
# Largest photo upload accepted, in bytes (default 15 MB).
PHOTO_MAX_UPLOAD_BYTES = int(os.environ.get("PHOTO_MAX_UPLOAD_BYTES", 15 * 1024 * 1024))
# Largest image, in pixels, Pillow may decode (decompression-bomb guard).
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", 60_000_000))
PHOTO_THUMBNAIL_SIZES = {"small": 320, "large": 1280}
# Uploaded workbooks wait here between preview and confirm (never under MEDIA_ROOT).
REGISTER_IMPORT_DIR = Path(
    os.environ.get("REGISTER_IMPORT_DIR", VAR_DIR / "register_imports")
)
# Finished background exports wait here for their creator (never under MEDIA_ROOT).
REGISTER_EXPORT_DIR = Path(
    os.environ.get("REGISTER_EXPORT_DIR", VAR_DIR / "register_exports")
)
# Exports of up to this many rows (estates + buildings + households; about two
# seconds of work) are sent at once; larger ones are built by a Celery task.
REGISTER_EXPORT_SYNC_MAX_ROWS = int(
    os.environ.get("REGISTER_EXPORT_SYNC_MAX_ROWS", "4000")
)
# Largest register workbook accepted, in bytes.
REGISTER_IMPORT_MAX_BYTES = int(
    os.environ.get("REGISTER_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
)
# Largest size a register workbook may inflate to (the sum of its zip members),
# checked before parsing. A full 50,000-household register is about 40 MB of
# sheet XML, so 128 MB leaves room for formatting and refuses zip bombs.
REGISTER_IMPORT_MAX_INFLATED_BYTES = int(
    os.environ.get("REGISTER_IMPORT_MAX_INFLATED_BYTES", 128 * 1024 * 1024)
)
# Most data rows one sheet may have; reading stops as soon as it is passed.
REGISTER_IMPORT_MAX_ROWS = int(os.environ.get("REGISTER_IMPORT_MAX_ROWS", "50000"))

# --- Rate limits (baitang/ratelimit.py): "count/period", period in s, m, h, d ---
RATE_LIMITS = {
    # Wrong, reissued or mistyped access codes and open-link tokens per client
    # (an IP address; many residents may share one behind a carrier's NAT).
    "access_code_failures": os.environ.get("RATE_LIMIT_ACCESS_CODES", "30/10m"),
    # Opinions left through estates' open links per client.
    "opinions": os.environ.get("RATE_LIMIT_OPINIONS", "20/h"),
    # Forms and ballots one household sends through its code, from any address:
    # each is kept as a version (with its photos), so a leaked slip cannot
    # fill the disk or keep the workers decoding photos.
    "household_submissions": os.environ.get("RATE_LIMIT_HOUSEHOLD_SUBMISSIONS", "30/h"),
}
# Behind a reverse proxy: the request header holding the client's address as
# the proxy saw it (e.g. HTTP_X_REAL_IP). Unset: the connecting address.
RATE_LIMIT_CLIENT_IP_HEADER = os.environ.get("RATE_LIMIT_CLIENT_IP_HEADER", "")

# --- Facility-demand forecast (communities/forecast.py) ---
# Planning rates behind the profile page's forecast. They are local planning
# choices, not national standards (verify with the street office); the page
# prints each formula with these values so staff can see why.
FORECAST_RATES = {
    # 助餐点: one per this many residents aged 60+. Rounded up when the 60+ share
    # (%) reaches `meal_point_ageing_share`; below it, rounded down (a younger
    # estate's few seniors use a neighbouring point).
    "meal_point_elderly_per_point": 500,
    "meal_point_ageing_share": 20,
    # 加装电梯: one lift per stairwell unit of liftless buildings this tall.
    "elevator_min_storeys": 4,
    # 电动车充电桩: charging points per household, rounded up.
    "charging_points_per_household": 0.3,
    # 停车位: spaces per household, rounded up. Existing spaces are not in the
    # register, so nothing is subtracted.
    "parking_spaces_per_household": 0.5,
    # 托育/儿童活动场所: one place per this many children under 14, rounded up.
    "childcare_children_per_place": 100,
    # Ageing projection: rise of the 60+ share in percentage points per year,
    # and how many years ahead the profile looks.
    "ageing_drift_points_per_year": 0.8,
    "projection_years": 5,
}
