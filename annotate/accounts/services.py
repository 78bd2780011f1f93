"""Writes of accounts: logins, their API tokens, and what administrators do to accounts."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from annotate.core.exceptions import ApplicationError
from annotate.projects.services import membership_work_release_all

from .models import AccountAction, AccountEvent, ApiToken, ExternalIdentity, Invitation


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


def password_sign_in_check() -> None:
    """Refuse, with what to do instead, when the administrator has turned local passwords off."""
    if not settings.INTERCODER_LOCAL_PASSWORDS:
        where = (
            f" Sign in with {settings.INTERCODER_OIDC_PROVIDER_NAME} instead."
            if settings.INTERCODER_OIDC_ENABLED
            else ""
        )
        raise ApplicationError(f"Passwords are turned off on this server.{where}", status=403)


def user_password_link_issue(*, actor, user, site: str) -> str:
    """An administrator gives an existing user a new set-password link (e.g. they lost theirs and the
    server has no mail): mailed to the user, returned to show the administrator once, and recorded. It is
    Django's reset token, so it stops working once the password is set."""
    if not actor.is_staff:
        raise ApplicationError("Only administrators issue password links.", status=403)
    password_sign_in_check()
    if not user.is_active:
        raise ApplicationError(f"{user.username} is deactivated: reactivate the account first.")
    link = password_set_link(user=user, site=site)
    with transaction.atomic():
        AccountEvent.objects.create(
            user=user,
            actor=actor,
            action=AccountAction.PASSWORD_LINK_ISSUED,
            detail={"mailed_to": user.email},
        )
        if user.email:
            body = (
                f"An administrator of Intercoder has made you a link to set a new password "
                f"(username: {user.username}).\n\n{link}\n\nIf you did not ask for it, ignore this mail: "
                f"your password stays as it is.\n"
            )
            email = user.email
            transaction.on_commit(lambda: send_mail("Set your Intercoder password", body, None, [email]))
    return link


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


class SsoRefused(Exception):
    """A single sign-on that finds no account to sign in to; the message says why and what to do."""


def _verified_email(claims: dict) -> str:
    email = str(claims.get("email") or "").strip()
    verified = claims.get("email_verified")
    if not email or not (verified is True or str(verified).lower() == "true"):
        raise SsoRefused(
            f"{settings.INTERCODER_OIDC_PROVIDER_NAME} did not confirm your email address, so it cannot be "
            "matched to an account here. Ask an administrator of this server for help."
        )
    return email


def _may_create(email: str) -> bool:
    """A verified email without an account gets one when an invitation is waiting for it or its domain
    is one the administrator listed (``INTERCODER_OIDC_CREATE_DOMAINS``)."""
    domain = email.rsplit("@", 1)[-1].lower()
    if domain in settings.INTERCODER_OIDC_CREATE_DOMAINS:
        return True
    return Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


def _free_username(email: str) -> str:
    base = "".join(c for c in email.split("@", 1)[0] if c.isalnum() or c in "._-")[:140] or "user"
    taken = set(
        get_user_model().objects.filter(username__istartswith=base).values_list("username", flat=True)
    )
    taken = {t.lower() for t in taken}
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _active(user):
    if not user.is_active:
        raise SsoRefused("This account is deactivated. Ask an administrator of this server to reactivate it.")
    return user


def sso_user_for(*, issuer: str, subject: str, claims: dict):
    """The account a provider's identity signs in to, or ``SsoRefused``.

    The identity (issuer, subject) already linked: its account. Otherwise the one account whose email is
    the provider's *verified* email: the identity is linked to it (an account links one identity per
    provider). No account with that email: one is made if ``_may_create`` allows, else refused. A
    deactivated account is refused either way. Links and new accounts are recorded as account events.
    """
    identity = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if identity is not None:
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["last_login_at", "updated_at"])
        return _active(identity.user)
    email = _verified_email(claims)
    user_model = get_user_model()
    with transaction.atomic():
        users = list(user_model.objects.select_for_update().filter(email__iexact=email)[:2])
        if len(users) > 1:
            raise SsoRefused(
                f"More than one account here uses {email}, so none is chosen. Ask an administrator to give "
                "each account its own email address."
            )
        if users:
            user = _active(users[0])
            if ExternalIdentity.objects.filter(user=user, issuer=issuer).exists():
                raise SsoRefused(
                    f"The account for {email} is linked to another identity at "
                    f"{settings.INTERCODER_OIDC_PROVIDER_NAME}. Ask an administrator of this server."
                )
            action = AccountAction.SSO_LINKED
        elif _may_create(email):
            user = user_model(
                username=_free_username(email), email=email, first_name=str(claims.get("name") or "")[:150]
            )
            user.set_unusable_password()
            user.save()
            action = AccountAction.SSO_ACCOUNT_CREATED
        else:
            raise SsoRefused(
                f"No account here uses {email}. Ask a project owner to invite you, or an administrator "
                "of this server to make you an account; then sign in again."
            )
        try:
            with transaction.atomic():
                ExternalIdentity.objects.create(
                    user=user, issuer=issuer, subject=subject, email=email, last_login_at=timezone.now()
                )
        except IntegrityError:  # the same identity signing in twice at once: the other request linked it
            raise SsoRefused("Signing in crossed another sign-in of yours; sign in again.") from None
        AccountEvent.objects.create(
            user=user, action=action, detail={"issuer": issuer, "subject": subject, "email": email}
        )
    return user
