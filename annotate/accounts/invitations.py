"""Invitations to a project: owners invite an email address with a role; the person opens the link and
joins, signing in or choosing a name and password. Every change writes its audit event in the same
transaction; the mail leaves once the transaction has committed.

The link carries a random secret, signed (``django.core.signing``) so that a damaged or altered link is
told apart from one that was replaced or revoked; only the secret's SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from annotate.audit.services import audit_record
from annotate.core.exceptions import ApplicationError
from annotate.projects.models import Membership, Project, Role
from annotate.projects.services import membership_join

from .models import Invitation, InvitationState
from .services import user_create

_SALT = "intercoder.accounts.invitation"
LINK_PATH = "/invitations/{token}/"


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its link: the only moment the link exists outside the mail."""

    invitation: Invitation
    link: str


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(invitation: Invitation, *, site: str) -> str:
    """A new secret for the invitation (the old link stops working), and its link."""
    secret = secrets.token_urlsafe(32)
    invitation.token_hash = _secret_hash(secret)
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + dt.timedelta(days=settings.INTERCODER_INVITATION_DAYS)
    token = signing.Signer(salt=_SALT).sign(secret)
    return site.rstrip("/") + LINK_PATH.format(token=token)


def _mail_on_commit(invitation: Invitation, link: str, inviter) -> None:
    project_name = invitation.project.name
    inviter_name = inviter.get_full_name() or inviter.username
    role = Role(invitation.role).label
    body = (
        f"{inviter_name} invites you to the project “{project_name}” on Intercoder, as {role}.\n\n"
        f"Open this link to join (it works once, until {invitation.expires_at:%d %B %Y}):\n{link}\n\n"
        "If you did not expect this invitation, ignore this mail."
    )
    transaction.on_commit(
        lambda: send_mail(f"Join “{project_name}” on Intercoder", body, None, [invitation.email])
    )


def _image(invitation: Invitation) -> dict:
    return {
        "email": invitation.email,
        "role": invitation.role,
        "expires_at": invitation.expires_at,
        "state": invitation.state,
    }


def _record(invitation: Invitation, *, actor, action: str, before: dict | None = None, **after) -> None:
    """The invitation's audit event: its image before and after (plus ``after``'s extra keys)."""
    audit_record(
        project_id=invitation.project_id,
        actor=actor,
        action=action,
        obj=invitation,
        before=before,
        after={**_image(invitation), **after},
    )


def _check_rate(project_id: int) -> None:
    limit = settings.INTERCODER_INVITATIONS_PER_HOUR
    recent = Invitation.objects.filter(
        project_id=project_id, sent_at__gte=timezone.now() - dt.timedelta(hours=1)
    ).count()
    if recent >= limit:
        raise ApplicationError(
            f"This project has sent {limit} invitations in the last hour, the most allowed; try again later.",
            status=429,
        )


def _normalised_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ApplicationError(
            f"{email!r} is not an email address; check it for typos.",
            extra={"fields": {"email": error.messages}},
        ) from error
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ApplicationError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")


def invitation_create(*, project: Project, actor, email: str, role: str, site: str) -> IssuedInvitation:
    """Invite ``email`` to ``project`` as ``role``: 409 if they are a member or have a pending invitation,
    429 beyond the project's hourly limit. ``site`` is the address links start with."""
    email = _normalised_email(email)
    _check_role(role)
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)  # one inviter at a time: the limit holds
        if Membership.objects.filter(project=project, user__email__iexact=email).exists():
            raise ApplicationError(f"{email} is already a member of this project.", status=409)
        pending = [
            i for i in Invitation.objects.filter(project=project, email__iexact=email) if i.state == "pending"
        ]
        if pending:
            raise ApplicationError(
                f"{email} already has a pending invitation; resend it or change its role instead.", status=409
            )
        _check_rate(project.pk)
        invitation = Invitation(project=project, email=email, role=role, invited_by=actor)
        link = _issue(invitation, site=site)
        invitation.full_clean()
        invitation.save()
        audit_record(
            project_id=project.pk,
            actor=actor,
            action="invitation.create",
            obj=invitation,
            after=_image(invitation),
        )
        _mail_on_commit(invitation, link, actor)
    return IssuedInvitation(invitation, link)


def _locked_pending(invitation: Invitation, doing: str) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("project").get(pk=invitation.pk)
    if invitation.state in (InvitationState.ACCEPTED, InvitationState.REVOKED):
        raise ApplicationError(f"This invitation was {invitation.state}; it cannot be {doing}.", status=409)
    return invitation


def invitation_resend(*, invitation: Invitation, actor, site: str) -> IssuedInvitation:
    """Mail a new link (the old one stops working) with a new term; also renews an expired invitation."""
    with transaction.atomic():
        invitation = _locked_pending(invitation, "resent")
        Project.objects.select_for_update().get(pk=invitation.project_id)
        _check_rate(invitation.project_id)
        before = _image(invitation)
        link = _issue(invitation, site=site)
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "updated_at"])
        _record(invitation, actor=actor, action="invitation.resend", before=before)
        _mail_on_commit(invitation, link, actor)
    return IssuedInvitation(invitation, link)


def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    with transaction.atomic():
        invitation = _locked_pending(invitation, "revoked")
        before = _image(invitation)
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        _record(invitation, actor=actor, action="invitation.revoke", before=before)
    return invitation


def invitation_change_role(*, invitation: Invitation, actor, role: str) -> Invitation:
    _check_role(role)
    with transaction.atomic():
        invitation = _locked_pending(invitation, "changed")
        if invitation.role == role:
            return invitation
        before = _image(invitation)
        invitation.role = role
        invitation.save(update_fields=["role", "updated_at"])
        _record(invitation, actor=actor, action="invitation.update", before=before)
    return invitation


_NOT_VALID = "This invitation link is not valid: it may be incomplete or altered. Ask the project's owner for a new one."


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link's token names, or a 4xx saying why the link cannot be used."""
    try:
        secret = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature as error:
        raise ApplicationError(_NOT_VALID, status=400) from error
    invitation = (
        Invitation.objects.select_related("project", "invited_by")
        .filter(token_hash=_secret_hash(secret))
        .first()
    )
    if invitation is None:
        raise ApplicationError(
            "This invitation link has been replaced by a newer one or withdrawn. Use the latest mail, or ask "
            "the project's owner to resend it.",
            status=410,
        )
    return invitation


def _usable(invitation: Invitation) -> None:
    state = invitation.state
    if state == InvitationState.ACCEPTED:
        raise ApplicationError(
            "This invitation has already been used. Sign in to open the project.", status=410
        )
    if state == InvitationState.REVOKED:
        raise ApplicationError("This invitation was withdrawn by the project's owner.", status=410)
    if state == InvitationState.EXPIRED:
        raise ApplicationError(
            "This invitation has expired. Ask the project's owner to resend it.", status=410
        )


def invitation_check(*, token: str) -> Invitation:
    """The invitation, if its link can still be used (else the 4xx that says why)."""
    invitation = invitation_from_token(token)
    _usable(invitation)
    return invitation


def invitation_accept(*, token: str, user) -> Membership:
    """The signed-in ``user`` joins the project with the invitation's role; the link is used up."""
    with transaction.atomic():
        invitation = invitation_from_token(token)
        invitation = Invitation.objects.select_for_update().select_related("project").get(pk=invitation.pk)
        _usable(invitation)
        if Membership.objects.filter(project_id=invitation.project_id, user=user).exists():
            raise ApplicationError("You are already a member of this project.", status=409)
        before = _image(invitation)
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        membership = membership_join(project=invitation.project, user=user, role=invitation.role)
        _record(
            invitation,
            actor=user,
            action="invitation.accept",
            before=before,
            user=user.pk,
            username=user.username,
        )
    return membership


def invitation_accept_new_user(*, token: str, username: str, name: str, password: str) -> Membership:
    """A person without an account chooses a username, a name and a password, and joins. Nothing is
    written unless all of it succeeds."""
    with transaction.atomic():
        invitation = invitation_check(token=token)
        if get_user_model().objects.filter(username__iexact=username.strip()).exists():
            raise ApplicationError(
                f"The username {username.strip()!r} is taken; choose another.",
                status=409,
                extra={"fields": {"username": ["This username is taken."]}},
            )
        user = user_create(
            username=username.strip(), password=password, first_name=name.strip(), email=invitation.email
        )
        return invitation_accept(token=token, user=user)
