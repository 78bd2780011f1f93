"""Sign-in rate limits: one per username, one per client address (rates: ``INTERCODER_LOGIN_RATE`` and
``INTERCODER_LOGIN_ADDRESS_RATE``); and the same pair for the password-reset form, per email and per
client address (``INTERCODER_PASSWORD_RESET_RATE``, ``INTERCODER_PASSWORD_RESET_ADDRESS_RATE``).

Both count in the shared cache (Redis in production), so they hold across web processes. Each closes
a way round the other: the username limit holds however many addresses an attacker rotates through, the
address limit however many usernames one address tries. The client address is DRF's ``get_ident``:
``REMOTE_ADDR``, or behind ``INTERCODER_TRUSTED_PROXIES`` proxies the address the outermost of them saw,
so a forged ``X-Forwarded-For`` counts for nothing.
"""

import hashlib

from rest_framework.throttling import SimpleRateThrottle


def _username(request) -> str:
    """The attempted username, normalised and hashed (a cache key of fixed, safe characters)."""
    data = getattr(request, "data", None)
    value = data.get("username", "") if data is not None and hasattr(data, "get") else ""
    return hashlib.sha256(str(value).strip().lower()[:150].encode()).hexdigest()


class LoginRateThrottle(SimpleRateThrottle):
    """Attempts per username, from any address."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": _username(request)}


class LoginAddressRateThrottle(SimpleRateThrottle):
    """Attempts per client address, for any username."""

    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


LOGIN_THROTTLES = [LoginAddressRateThrottle, LoginRateThrottle]


def _email(request) -> str:
    value = request.POST.get("email", "") if request.method == "POST" else ""
    return hashlib.sha256(str(value).strip().lower()[:254].encode()).hexdigest()


class PasswordResetRateThrottle(SimpleRateThrottle):
    """Password-reset requests per email address (``INTERCODER_PASSWORD_RESET_RATE``), counted whether or
    not an account uses it, so that the limit tells nothing about accounts."""

    scope = "password_reset"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": _email(request)}


class PasswordResetAddressRateThrottle(SimpleRateThrottle):
    """Password-reset requests per client address, for any email (``INTERCODER_PASSWORD_RESET_ADDRESS_RATE``)."""

    scope = "password_reset_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


PASSWORD_RESET_THROTTLES = [PasswordResetAddressRateThrottle, PasswordResetRateThrottle]
