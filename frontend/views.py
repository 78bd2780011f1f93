"""Page shells. Each view renders a template that loads the ES modules; all data comes from the JSON API.

``ensure_csrf_cookie`` sets the ``csrftoken`` cookie the UI sends back as ``X-CSRFToken`` on writes.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe


@require_safe
@ensure_csrf_cookie
def login_page(request):
    if request.user.is_authenticated and "next" not in request.GET:
        return redirect("frontend:projects")
    return render(request, "frontend/login.html")


@require_safe
@ensure_csrf_cookie
@login_required
def app_page(request, **kwargs):
    """The app shell for every signed-in page; ``main.js`` routes on the path."""
    return render(request, "frontend/app.html")


@require_safe
@ensure_csrf_cookie
def invitation_page(request, token):
    """Where an invitation link lands: signed in or not, ``main.js`` shows the invitation."""
    return render(request, "frontend/public.html", {"title": "Invitation"})


@require_safe
def home(request):
    return redirect("frontend:projects")
