"""Where a browser may be sent after signing in: a path on this site, never anywhere else."""

from django.utils.http import url_has_allowed_host_and_scheme

DEFAULT_AFTER_LOGIN = "/projects/"


def safe_next_path(next_url: str | None, *, request, default: str = DEFAULT_AFTER_LOGIN) -> str:
    """``next_url`` when it is a path on this site, else ``default``.

    Browsers drop tabs and newlines from URLs and read ``\\`` as ``/``, so ``/\\t/evil.example/`` becomes
    ``//evil.example/`` (another site) after the check has passed: any control character or backslash is
    refused outright. What remains must be a path (starting with one ``/``) that Django's
    ``url_has_allowed_host_and_scheme`` accepts for this host.
    """
    if not next_url or not isinstance(next_url, str):
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in next_url) or "\\" in next_url:
        return default
    if not next_url.startswith("/") or next_url.startswith("//"):
        return default
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    if next_url.startswith("/login"):
        return default
    return next_url
