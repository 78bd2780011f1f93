from rest_framework.throttling import SimpleRateThrottle


class LoginRateThrottle(SimpleRateThrottle):
    """Limit login attempts per client address and username (rate: ``INTERCODER_LOGIN_RATE``).

    Counted in the shared cache (Redis in production), so the limit holds across web processes.
    """

    scope = "login"

    def get_cache_key(self, request, view):
        username = (
            str(request.data.get("username", "")).strip().lower()[:150] if hasattr(request, "data") else ""
        )
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{username}"}
