"""Invitations: the owners' API under a project, and the public API an invitation link opens."""

from django.contrib.auth import login
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.models import Role
from annotate.projects.permissions import OWNERS

from .invitations import (
    invitation_accept,
    invitation_accept_new_user,
    invitation_change_role,
    invitation_check,
    invitation_create,
    invitation_resend,
    invitation_revoke,
)
from .models import Invitation
from .services import password_sign_in_check
from .throttling import LOGIN_THROTTLES


class InvitationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.CharField()
    state = serializers.CharField(help_text="pending, accepted, revoked or expired")
    invited_by = serializers.CharField(source="invited_by.username")
    sent_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    accepted_by = serializers.CharField(source="accepted_by.username", default=None)


class IssuedInvitationOutputSerializer(InvitationOutputSerializer):
    link = serializers.CharField(help_text="The link, shown this once (it is also mailed).")


def _issued(issued) -> dict:
    data = dict(InvitationOutputSerializer(issued.invitation).data)
    data["link"] = issued.link
    return data


def _site(request) -> str:
    return request.build_absolute_uri("/")


class InvitationListApi(ProjectScopedApi):
    """The project's invitations, newest first, with their state; owners invite by email with a role."""

    roles = {"GET": OWNERS, "POST": OWNERS}

    class InputSerializer(serializers.Serializer):
        email = serializers.CharField(max_length=254)
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(responses=InvitationOutputSerializer(many=True))
    def get(self, request, project_id):
        invitations = (
            Invitation.objects.filter(project_id=project_id)
            .select_related("invited_by", "accepted_by")
            .order_by("-sent_at", "-id")
        )
        return self.paginate(invitations, InvitationOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: IssuedInvitationOutputSerializer})
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = invitation_create(
            project=self.project, actor=request.user, site=_site(request), **data.validated_data
        )
        return Response(_issued(issued), status=status.HTTP_201_CREATED)


class _InvitationDetailBase(ProjectScopedApi):
    def _get(self, project_id, invitation_id) -> Invitation:
        invitation = (
            Invitation.objects.select_related("project", "invited_by", "accepted_by")
            .filter(project_id=project_id, pk=invitation_id)
            .first()
        )
        if invitation is None:
            raise NotFound("Invitation not found.")
        return invitation


class InvitationDetailApi(_InvitationDetailBase):
    """Change a pending invitation's role (PATCH) or revoke it (DELETE; it stays listed as revoked)."""

    roles = {"PATCH": OWNERS, "DELETE": OWNERS}

    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(request=InputSerializer, responses=InvitationOutputSerializer)
    def patch(self, request, project_id, invitation_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitation_change_role(
            invitation=self._get(project_id, invitation_id),
            actor=request.user,
            role=data.validated_data["role"],
        )
        return Response(InvitationOutputSerializer(invitation).data)

    @extend_schema(responses=InvitationOutputSerializer)
    def delete(self, request, project_id, invitation_id):
        invitation = invitation_revoke(invitation=self._get(project_id, invitation_id), actor=request.user)
        return Response(InvitationOutputSerializer(invitation).data)


class InvitationResendApi(_InvitationDetailBase):
    """Mail a new link (the previous one stops working) with a new term."""

    roles = {"POST": OWNERS}

    @extend_schema(request=None, responses=IssuedInvitationOutputSerializer)
    def post(self, request, project_id, invitation_id):
        issued = invitation_resend(
            invitation=self._get(project_id, invitation_id), actor=request.user, site=_site(request)
        )
        return Response(_issued(issued))


class InvitationOpenOutputSerializer(serializers.Serializer):
    project = serializers.CharField(source="project.name")
    role = serializers.CharField()
    email = serializers.EmailField()
    invited_by = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField()

    def get_invited_by(self, invitation) -> str:
        return invitation.invited_by.get_full_name() or invitation.invited_by.username


class JoinedOutputSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id")
    role = serializers.CharField()
    next = serializers.CharField(help_text="Where the member's work in the project is.")


def _joined(membership) -> dict:
    tab = "#work" if membership.role == Role.CODER else ""
    return {
        "project": membership.project_id,
        "role": membership.role,
        "next": f"/projects/{membership.project_id}/{tab}",
    }


class InvitationOpenApi(APIView):
    """What an invitation link offers (project, role, who invites), or why it cannot be used."""

    permission_classes = [AllowAny]

    @extend_schema(responses=InvitationOpenOutputSerializer)
    def get(self, request, token):
        return Response(InvitationOpenOutputSerializer(invitation_check(token=token)).data)


class InvitationAcceptApi(APIView):
    """The signed-in caller accepts: they join the project with the invitation's role."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=JoinedOutputSerializer)
    def post(self, request, token):
        return Response(_joined(invitation_accept(token=token, user=request.user)))


class InvitationRegisterApi(APIView):
    """Someone without an account chooses a username, a name and a password, joins and is signed in."""

    permission_classes = [AllowAny]
    throttle_classes = LOGIN_THROTTLES

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        name = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={201: JoinedOutputSerializer})
    def post(self, request, token):
        password_sign_in_check()  # without passwords, the invitee signs in with the provider and accepts
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = invitation_accept_new_user(token=token, **data.validated_data)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(_joined(membership), status=status.HTTP_201_CREATED)
