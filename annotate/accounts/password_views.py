"""Password reset pages: Django's own views, forms and tokens, with a rate limit on the request form and
both refused when the administrator has turned local passwords off."""

import math
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from .throttling import PASSWORD_RESET_THROTTLES


def _passwords_off(request):
    return render(
        request,
        "registration/passwords_off.html",
        {
            "sso_name": settings.INTERCODER_OIDC_PROVIDER_NAME if settings.INTERCODER_OIDC_ENABLED else "",
        },
        status=403,
    )


class PasswordResetRequestView(auth_views.PasswordResetView):
    """The form that mails a reset link. Its answer is the same whether or not an account uses the email;
    requests are limited per email and per client address (``throttling.PASSWORD_RESET_THROTTLES``), and
    past the limit the form says when to try again, again the same for any email."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.INTERCODER_LOCAL_PASSWORDS:
            return _passwords_off(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        waits = []
        # DRF's throttles read the client address from META, which a plain Django request has too.
        request: Any = self.request
        for throttle in (cls() for cls in PASSWORD_RESET_THROTTLES):
            if not throttle.allow_request(request, cast(Any, self)):
                waits.append(throttle.wait() or 60)
        if waits:
            minutes = max(1, math.ceil(max(waits) / 60))
            form.add_error(
                None,
                f"Too many reset requests from here or for this address. Try again in {minutes} "
                f"minute{'s' if minutes != 1 else ''}.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class PasswordResetSetView(auth_views.PasswordResetConfirmView):
    """Where a reset (or set-password) link lands."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.INTERCODER_LOCAL_PASSWORDS:
            return _passwords_off(request)
        return super().dispatch(request, *args, **kwargs)
