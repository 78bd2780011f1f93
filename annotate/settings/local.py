"""Development on one machine (``make run``): debug on, a development-only secret key."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Development only: production.py has no default and refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret-0123456789abcdef")
