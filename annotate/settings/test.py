"""The test suite: real PostgreSQL and Redis, never a silent fall-back to SQLite.

``make test`` makes sure both services run (``scripts/ensure_services.sh``).
"""

from .base import *  # noqa: F403
from .base import DATABASES, STATIC_ROOT, env, postgresql_options

SECRET_KEY = "test-only-not-a-secret-0123456789abcdef0123456789"  # noqa: S105
DEBUG = False
DATABASES["default"] = env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/intercoder")
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("The test suite runs against PostgreSQL only; set DATABASE_URL=postgres://...")
DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **postgresql_options()}

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/2")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# Tests call tasks synchronously unless they start a real worker (tests/conftest.py::celery_worker).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/3")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
INTERCODER_HEALTH_PING_TIMEOUT = 1.0

# Tests read mails from django.core.mail.outbox (the live server of the browser tests runs in-process too).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The browser tests' live server holds the dashboard's event streams in threads: short streams let a
# closed page's thread (and its database connection) go soon after the test.
INTERCODER_EVENTS_STREAM_S = 10.0
