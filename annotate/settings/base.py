"""Settings shared by every environment. Everything that differs between deployments comes from the
environment (https://docs.djangoproject.com/en/5.2/topics/settings/); see the env-var table in README.md.

Embedded default: with no DATABASE_URL the app uses SQLite in ``var/``; with no CELERY_BROKER_URL, kombu's
filesystem transport in ``var/broker/`` (no server needed). Production (``production.py``) requires both.
"""

from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("INTERCODER_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(str(BASE_DIR / ".env"))

# --- Core --------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=None)  # local/test set a dev key; production requires it
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en"
USE_I18N = False
ROOT_URLCONF = "annotate.urls"
WSGI_APPLICATION = "annotate.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Database ----------------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'intercoder.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # services own their transactions
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default keeps its database in var/
    # WAL lets the worker read while the web process writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def postgresql_options() -> dict:
    """Connection options for PostgreSQL (the test settings use them too). psycopg prepares a statement
    that a connection has run ``prepare_threshold`` times: only the hand-written statements of
    ``annotate.core.sql.execute_batch``, as Django's own cursors bind on the client.
    ``DATABASE_PREPARE_THRESHOLD``: 0 prepares at once, empty never (behind a transaction-pooling
    PgBouncer before 1.21)."""
    threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
    return {"prepare_threshold": int(threshold) if threshold else None}


if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **postgresql_options()}

# --- Applications ------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "annotate.core",
    "annotate.accounts",
    "annotate.projects",
    "annotate.audit",
    "annotate.cases",
    "annotate.documents",
    "annotate.codebook",
    "annotate.coding",
    "annotate.memos",
    "annotate.assignments",
    "annotate.analysis",
    "annotate.coding_loop",
    "annotate.exports",
    "annotate.adjudication",
    "annotate.explore",
    "annotate.passes",
    "annotate.demo",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "annotate.core.middleware.RequestIdMiddleware",
    "annotate.core.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- Passwords and sessions --------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False  # the UI reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy (django-csp) -------------------------------------------------------------
# Everything comes from this server: no inline script or style, no third-party origin, no framing. The UI
# sets styles through the CSSOM (element.style), which the policy allows; figures are our own SVG files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
LOGIN_URL = "/login/"

# --- Static files (whitenoise) -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Cache (login rate limits live here, so it must be shared by every web process) ------------------
# https://docs.djangoproject.com/en/5.2/topics/cache/#redis
if env("REDIS_URL", default=""):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("REDIS_URL")}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- REST framework ----------------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK: dict[str, Any] = {
    # Token first: DRF answers an anonymous request with the first class's challenge (401 + WWW-Authenticate).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotate.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "annotate.core.api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "annotate.core.api.exception_handler.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "annotate.core.api.schema.AutoSchema",
    # Sign-in attempts are limited per username and, separately, per client address, so that neither
    # rotating addresses nor rotating usernames gets more guesses (annotate/accounts/throttling.py).
    "DEFAULT_THROTTLE_RATES": {
        "login": env("INTERCODER_LOGIN_RATE", default="10/min"),
        "login_address": env("INTERCODER_LOGIN_ADDRESS_RATE", default="30/min"),
        # The password-reset form: requests per email address, and per client address for any email.
        "password_reset": env("INTERCODER_PASSWORD_RESET_RATE", default="3/hour"),
        "password_reset_address": env("INTERCODER_PASSWORD_RESET_ADDRESS_RATE", default="10/hour"),
    },
    # The client address is REMOTE_ADDR unless this many reverse proxies of ours sit in front: then it is
    # the address the outermost of them saw (counted from the right of X-Forwarded-For). The default, 0,
    # ignores X-Forwarded-For entirely, since any client can send one.
    # https://www.django-rest-framework.org/api-guide/throttling/#how-clients-are-identified
    "NUM_PROXIES": env.int("INTERCODER_TRUSTED_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

# https://drf-spectacular.readthedocs.io/en/latest/settings.html ; the sidecar serves Swagger UI's
# assets from our own static files, so the docs work offline (no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": "Intercoder API",
    "DESCRIPTION": "Team-based qualitative coding: projects, transcripts, codebooks, codings, audit trail.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: it would load an image from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets are called "role": a member's role, and a speaker's (the Explore filters, also in a
    # secondary pass's request body).
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "annotate.projects.models.Role",
        "SpeakerRoleEnum": "annotate.explore.scope.ROLES",
    },
    # Our PATCH views validate the whole input serializer (no partial updates): their request bodies
    # require what the serializer requires, so they share the POST/PUT components instead of "Patched"
    # copies with every field optional.
    "COMPONENT_SPLIT_PATCH": False,
}

# --- Celery ------------------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html (read with namespace="CELERY")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.1,  # the default 1 s makes worker pings (health) and task pick-up sluggish
    }
CELERY_TASK_IGNORE_RESULT = True  # runs are database rows; the result backend is not our record
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
# A message whose worker was lost goes back to the queue; the job's row bounds how often (MAX_ATTEMPTS in
# annotate.core.jobs), so a job that kills its worker every time ends failed instead of looping.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_SEND_TASK_EVENTS = False
# A broker that is down makes a send fail fast (the row is the outbox: the dispatcher sends it later).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)

# --- Background jobs (annotate.core.jobs) ------------------------------------------------------------
# The dispatcher runs this often (Celery beat: `celery -A annotate beat`, or `worker -B` for one worker).
INTERCODER_JOB_DISPATCH_INTERVAL_S = env.float("INTERCODER_JOB_DISPATCH_INTERVAL_S", default=15.0)
# A pending job whose message was sent this long ago and not taken up is sent again (lost message).
INTERCODER_JOB_RESEND_AFTER_S = env.float("INTERCODER_JOB_RESEND_AFTER_S", default=30.0)
# A running job's worker renews its lease every HEARTBEAT_S; a job without a heartbeat for LEASE_S has
# lost its worker, and the dispatcher hands it to another. Three missed beats make a lost worker: a job
# whose worker was killed is running again within a minute or so (docs/RELIABILITY.md, the burst).
INTERCODER_JOB_LEASE_S = env.float("INTERCODER_JOB_LEASE_S", default=30.0)
INTERCODER_JOB_HEARTBEAT_S = env.float("INTERCODER_JOB_HEARTBEAT_S", default=10.0)
CELERY_BEAT_SCHEDULE = {
    "dispatch-jobs": {
        "task": "core.jobs_dispatch",
        "schedule": INTERCODER_JOB_DISPATCH_INTERVAL_S,
        # A tick that waited longer than one interval (broker down, workers busy) is dropped: the next
        # one does its work.
        "options": {"expires": INTERCODER_JOB_DISPATCH_INTERVAL_S},
    }
}
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)

# --- Intercoder ------------------------------------------------------------------------------------
INTERCODER_HEALTH_PING_TIMEOUT = env.float("INTERCODER_HEALTH_PING_TIMEOUT", default=1.0)

# --- Logging: to stderr, no telemetry of any kind ------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Import limits (transcript and case-attribute imports) -------------------------------------------
# Passed to annotate.parsing.ImportLimits; each bounds one way an upload could exhaust the
# server. Defaults (documented in ImportLimits): 25 MB per file (a 2-hour interview is ~1 MB as .docx),
# 200 MB per .zip upload, 2,000 zip entries, 500 MB unpacked per zip, 20,000 segments per document.
# Sizes are given in MB in the environment.
INTERCODER_IMPORT_LIMITS = {
    "max_file_bytes": env.int("INTERCODER_IMPORT_MAX_FILE_MB", default=25) * 1024 * 1024,
    "max_archive_bytes": env.int("INTERCODER_IMPORT_MAX_ARCHIVE_MB", default=200) * 1024 * 1024,
    "max_zip_members": env.int("INTERCODER_IMPORT_MAX_ZIP_MEMBERS", default=2_000),
    "max_unpacked_bytes": env.int("INTERCODER_IMPORT_MAX_UNPACKED_MB", default=500) * 1024 * 1024,
    "max_segments": env.int("INTERCODER_IMPORT_MAX_SEGMENTS", default=20_000),
}
# Most files one import request may upload side by side (a .zip counts as one); use a zip for more.
INTERCODER_IMPORT_MAX_FILES = env.int("INTERCODER_IMPORT_MAX_FILES", default=50)
# Uploaded bytes wait for the worker under MEDIA_ROOT/imports/ and are deleted when the job ends.
INTERCODER_IMPORT_UPLOAD_DIR = "imports"
# An import of 2,000 transcripts is minutes of work: its task gets a longer bound than the global one.
INTERCODER_IMPORT_SOFT_TIME_LIMIT = env.int("INTERCODER_IMPORT_SOFT_TIME_LIMIT", default=30 * 60)
INTERCODER_IMPORT_TIME_LIMIT = env.int("INTERCODER_IMPORT_TIME_LIMIT", default=31 * 60)

# --- Analysis runs -----------------------------------------------------------------------------------
# Automatic agreement/saturation runs are debounced on the trailing edge: a run starts once no unit of its
# project has been marked done for INTERCODER_ANALYSIS_DEBOUNCE_S (the quiet window), so a burst of codings
# is computed once, shortly after its last coding; while coding goes on without a pause, a run starts at
# the latest INTERCODER_ANALYSIS_MAX_WAIT_S after it was scheduled, which bounds the runs per hour. At most
# one automatic run per project and kind is pending at a time; one that has not started
# INTERCODER_JOB_RESEND_AFTER_S after its longest wait is superseded by the next request.
INTERCODER_ANALYSIS_DEBOUNCE_S = env.float("INTERCODER_ANALYSIS_DEBOUNCE_S", default=1.5)
INTERCODER_ANALYSIS_MAX_WAIT_S = env.float("INTERCODER_ANALYSIS_MAX_WAIT_S", default=60.0)
# The dashboard's live updates (server-sent events): the server looks at the project's pulse every
# INTERCODER_EVENTS_CHECK_S and ends a stream after INTERCODER_EVENTS_STREAM_S (the browser reconnects at
# once, resuming from the last tag it saw), so no connection is held for ever.
INTERCODER_EVENTS_CHECK_S = env.float("INTERCODER_EVENTS_CHECK_S", default=1.0)
INTERCODER_EVENTS_STREAM_S = env.float("INTERCODER_EVENTS_STREAM_S", default=300.0)
# Requests an ASGI process (the events service) runs synchronous code for at once, each with its own
# database connection while it does (annotate/core/asgi_gate.py): bounds the connections a wave of
# reconnecting browsers opens.
INTERCODER_ASGI_STARTING_REQUESTS = env.int("INTERCODER_ASGI_STARTING_REQUESTS", default=8)

# --- Assignments -------------------------------------------------------------------------------------
# A pool claim nobody has touched (no coding change, not marked done) for this long returns to the pool:
# the next coder who asks for work may take it. See annotate/assignments/services.py ("Claim design").
INTERCODER_CLAIM_TIMEOUT_S = env.int("INTERCODER_CLAIM_TIMEOUT_S", default=30 * 60)
# --- end Assignments ---------------------------------------------------------------------------------

# --- Accounts, invitations and mail ------------------------------------------------------------------
# An invitation link works for this many days (resending makes a new link with a new term).
INTERCODER_INVITATION_DAYS = env.int("INTERCODER_INVITATION_DAYS", default=7)
# At most this many invitations (new or resent) per project per hour: a stolen owner session cannot
# turn the server into a mailer. Beyond it the API answers 429.
INTERCODER_INVITATIONS_PER_HOUR = env.int("INTERCODER_INVITATIONS_PER_HOUR", default=20)
# Mail (invitations, password resets) goes through Django's email framework. EMAIL_URL picks the
# backend: smtp+tls://user:password@host:587 in production; unset, mails are printed to the log (console)
# and every link is also shown to the owner or admin who triggered it, so no mail server is needed.
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Intercoder <intercoder@localhost>")
# Password-reset links (Django's own token views) work for this long.
PASSWORD_RESET_TIMEOUT = env.int("DJANGO_PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24 * 3)

# --- Single sign-on (OpenID Connect) and local passwords ----------------------------------------------
# Universities sign in through their identity provider: the authorization code flow with PKCE, by
# mozilla-django-oidc (https://mozilla-django-oidc.readthedocs.io/en/stable/settings.html). Off unless
# INTERCODER_OIDC_ENABLED; then the client id and secret the provider issued for this server (its redirect
# URI is https://<this host>/oidc/callback/), the provider's issuer and its endpoints (from the issuer's
# /.well-known/openid-configuration). ID tokens must be signed (RS256 by default) with a key from the
# provider's JWKS endpoint, and carry this issuer and this client as audience.
INTERCODER_OIDC_ENABLED = env.bool("INTERCODER_OIDC_ENABLED", default=False)
INTERCODER_OIDC_PROVIDER_NAME = env("INTERCODER_OIDC_PROVIDER_NAME", default="your university")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_AUTHENTICATE_CLASS = "annotate.accounts.sso.SsoStartView"
OIDC_CALLBACK_CLASS = "annotate.accounts.sso.SsoCallbackView"
LOGIN_REDIRECT_URL = "/projects/"
LOGIN_REDIRECT_URL_FAILURE = "/login/"
# Who may sign in through the provider: an account whose email the provider says is verified (linked on
# the first sign-in, by the provider's subject id after that). A verified email with no account here gets
# one only if a pending project invitation is addressed to it, or its domain is listed here
# (e.g. "uni.example,lab.uni.example"); anyone else is refused and told to ask for an invitation.
INTERCODER_OIDC_CREATE_DOMAINS = [
    d.strip().lower().lstrip("@") for d in env.list("INTERCODER_OIDC_CREATE_DOMAINS", default=[]) if d.strip()
]
# Off: nobody signs in with a password (the sign-in page shows only single sign-on; password change, reset
# and token-for-password requests are refused). Turn it off only with single sign-on working.
INTERCODER_LOCAL_PASSWORDS = env.bool("INTERCODER_LOCAL_PASSWORDS", default=True)
if INTERCODER_OIDC_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_OP_ISSUER",
            "OIDC_RP_CLIENT_ID",
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not vars()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(f"INTERCODER_OIDC_ENABLED needs {', '.join(_missing)} (see README.md).")
if not INTERCODER_LOCAL_PASSWORDS and not INTERCODER_OIDC_ENABLED:
    raise ImproperlyConfigured("INTERCODER_LOCAL_PASSWORDS=false needs single sign-on: nobody could sign in.")
# Passwords are checked only by the sign-in APIs (annotate/accounts/apis.py), which refuse when they are off.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "annotate.accounts.sso.OidcBackend"]
