"""Writes of accounts: logins, their API tokens, and what administrators do to accounts."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from annotate.core.exceptions import ApplicationError
from annotate.projects.services import membership_work_release_all

from .models import ApiToken


def user_create(*, username: str, password: str, first_name: str = "", last_name: str = "", email: str = ""):
    """Create a login. The password must pass Django's validators (settings.AUTH_PASSWORD_VALIDATORS)."""
    user_model = get_user_model()
    user = user_model(username=username, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, user=user)
    user.set_password(password)
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
    return user


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new named token for ``user``; returns it and its key, which exists nowhere else from now on."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the token a name, e.g. the script that will use it.")
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100], prefix=key[:8], key_hash=key_hash(key))
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def user_update_profile(*, user, name: str):
    """The user's display name (shown to their team instead of the username)."""
    name = (name or "").strip()
    if len(name) > 150:
        raise ApplicationError("Keep the name to 150 characters.")
    user.first_name, user.last_name = name, ""
    user.save(update_fields=["first_name", "last_name"])
    return user


def user_change_password(*, user, current: str, new: str):
    if not user.check_password(current):
        raise ApplicationError(
            "Your current password is not right.", extra={"fields": {"current_password": ["Not right."]}}
        )
    validate_password(new, user=user)
    user.set_password(new)
    user.save(update_fields=["password"])
    return user


def password_set_link(*, user, site: str) -> str:
    """A link where ``user`` sets a new password: Django's own reset token (single-use: it stops working
    once the password changes; expires after ``PASSWORD_RESET_TIMEOUT``)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{site.rstrip('/')}/reset/{uid}/{token}/"


def user_invite(*, actor, username: str, email: str, name: str = "", site: str) -> tuple[object, str]:
    """An administrator creates an account: it has no password until its owner sets one through the
    link, which is mailed to them and returned (so that an instance without mail works too)."""
    if not actor.is_staff:
        raise ApplicationError("Only administrators create accounts.", status=403)
    username, email = username.strip(), email.strip()
    validate_email(email)
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"The username {username!r} is taken; choose another.", status=409)
    with transaction.atomic():
        user = user_model(username=username, email=email, first_name=name.strip())
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        link = password_set_link(user=user, site=site)
        body = (
            f"An account on Intercoder has been made for you (username: {username}).\n\n"
            f"Choose your password here to start:\n{link}\n"
        )
        transaction.on_commit(lambda: send_mail("Your Intercoder account", body, None, [email]))
    return user, link


def _end_sessions(user) -> int:
    """Delete the user's sessions, so that their next request is signed out. Sessions are keyed by id, not
    user, so each live one is decoded (there are few: they expire after ``SESSION_COOKIE_AGE``)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def user_deactivate(*, user, actor) -> dict:
    """Stop an account at once: it can no longer sign in, its sessions end, its API tokens are revoked and
    its unfinished units return to the plans. Users are never deleted: codings and the audit trail refer
    to them. Each project's audit trail records the units released."""
    if user.pk == actor.pk:
        raise ApplicationError("You cannot deactivate your own account.")
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        released = membership_work_release_all(user=user, actor=actor, reason="account deactivated")
        sessions = _end_sessions(user)
    return {"sessions_ended": sessions, "tokens_revoked": revoked, "projects": released}


def user_reactivate(*, user):
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
