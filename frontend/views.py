"""Page shells. Each view renders a template that loads the ES modules; all data comes from the JSON API.

``ensure_csrf_cookie`` sets the ``csrftoken`` cookie the UI sends back as ``X-CSRFToken`` on writes.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from annotate.accounts.redirects import safe_next_path
from annotate.accounts.sso import SSO_ERROR_KEY


def _sign_in_options() -> dict:
    return {
        "passwords": settings.INTERCODER_LOCAL_PASSWORDS,
        "sso_name": settings.INTERCODER_OIDC_PROVIDER_NAME if settings.INTERCODER_OIDC_ENABLED else "",
    }


@require_safe
@ensure_csrf_cookie
def login_page(request):
    """The sign-in page: the password form unless passwords are off, "Sign in with <provider>" when single
    sign-on is on, and why the last single sign-on was refused, if it was."""
    if request.user.is_authenticated and "next" not in request.GET:
        return redirect("frontend:projects")
    sso_error = request.session.pop(SSO_ERROR_KEY, "") if hasattr(request, "session") else ""
    context = {
        **_sign_in_options(),
        "sso_error": sso_error,
        "sso_query": urlencode({"next": safe_next_path(request.GET.get("next"), request=request)}),
    }
    return render(request, "frontend/login.html", context)


@require_safe
@ensure_csrf_cookie
@login_required
def app_page(request, **kwargs):
    """The app shell for every signed-in page; ``main.js`` routes on the path."""
    return render(request, "frontend/app.html")


@require_safe
@ensure_csrf_cookie
def invitation_page(request, token):
    """Where an invitation link lands: signed in or not, ``main.js`` shows the invitation (and the ways to
    sign in that this server offers)."""
    return render(request, "frontend/public.html", {"title": "Invitation", **_sign_in_options()})


@require_safe
def home(request):
    return redirect("frontend:projects")
