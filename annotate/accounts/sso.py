"""Single sign-on with OpenID Connect: mozilla-django-oidc runs the authorization code flow with PKCE;
these subclasses switch it on and off by settings, check the ID token's issuer and audience, and choose the
account (``services.sso_user_for``). When sign-in is refused, the reason waits in the session and the
sign-in page shows it."""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .redirects import safe_next_path
from .services import SsoRefused, sso_user_for

SSO_ERROR_KEY = "intercoder_sso_error"


def _require_enabled() -> None:
    if not settings.INTERCODER_OIDC_ENABLED:
        raise Http404("Single sign-on is not set up on this server.")


class OidcBackend(OIDCAuthenticationBackend):
    """Signs in the account of a provider's identity; does nothing unless single sign-on is on."""

    def authenticate(self, request, **kwargs):
        if not settings.INTERCODER_OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The library checks the signature and nonce; the token must also come from the configured
        issuer and be addressed to this client."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != settings.OIDC_OP_ISSUER or settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token is not from the configured provider for this client.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The provider's user info is about someone else than its ID token.")
        try:
            return sso_user_for(issuer=payload["iss"], subject=str(payload["sub"]), claims=claims)
        except SsoRefused as refusal:
            self.request.session[SSO_ERROR_KEY] = str(refusal)
            return None


class SsoStartView(OIDCAuthenticationRequestView):
    """``/oidc/authenticate/?next=…``: off to the provider; ``next`` is followed only within this site."""

    def get(self, request):
        _require_enabled()
        response = super().get(request)
        request.session["oidc_login_next"] = safe_next_path(request.GET.get("next"), request=request)
        return response


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """``/oidc/callback/``: where the provider sends the browser back."""

    def get(self, request):
        _require_enabled()
        return super().get(request)

    def login_failure(self):
        if SSO_ERROR_KEY not in self.request.session:
            self.request.session[SSO_ERROR_KEY] = (
                f"Signing in with {settings.INTERCODER_OIDC_PROVIDER_NAME} did not finish. Try again."
            )
        return super().login_failure()
