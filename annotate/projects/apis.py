from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .api_base import ProjectScopedApi
from .models import Membership, Role
from .permissions import MEMBERS, OWNERS
from .selectors import membership_list, project_list_for_user
from .services import (
    membership_add,
    membership_change_role,
    membership_remove,
    project_create,
    project_release,
    project_update,
)


class ProjectOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()
    coders_may_reopen = serializers.BooleanField(
        help_text="Whether coders may reopen a unit they submitted (until it is adjudicated)."
    )


class ProjectListApi(APIView):
    """Projects the caller is a member of; any signed-in user may create one and becomes its owner."""

    permission_classes = [IsAuthenticated]
    # APIView has none of its own. api_settings imports the setting's dotted path; the stubs type it as
    # the string.
    pagination_class: type[BasePagination] = api_settings.DEFAULT_PAGINATION_CLASS  # type: ignore[assignment]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(responses=ProjectOutputSerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(project_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(ProjectOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ProjectOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_create(creator=request.user, **data.validated_data)
        return Response(ProjectOutputSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(ProjectScopedApi):
    roles = {"GET": MEMBERS, "PATCH": OWNERS}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        coders_may_reopen = serializers.BooleanField(required=False)

    class OutputSerializer(ProjectOutputSerializer):
        role = serializers.CharField()

    def _output(self):
        data = ProjectOutputSerializer(self.project).data
        data["role"] = self.membership.role
        return data

    @extend_schema(responses=OutputSerializer)
    def get(self, request, project_id):
        return Response(self._output())

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project_update(project=self.project, actor=request.user, data=data.validated_data)
        self.membership.project.refresh_from_db()
        return Response(self._output())


class MembershipOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    username = serializers.CharField(source="user.username")
    role = serializers.CharField()


class MembershipListApi(ProjectScopedApi):
    roles = {"GET": MEMBERS, "POST": OWNERS}

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(responses=MembershipOutputSerializer(many=True))
    def get(self, request, project_id):
        return self.paginate(membership_list(project_id=project_id), MembershipOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: MembershipOutputSerializer})
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_add(project=self.project, actor=request.user, **data.validated_data)
        return Response(MembershipOutputSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailApi(ProjectScopedApi):
    roles = {"PATCH": OWNERS, "DELETE": OWNERS}

    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Role.choices)

    def _get(self, project_id, membership_id) -> Membership:
        membership = (
            Membership.objects.select_related("user").filter(project_id=project_id, pk=membership_id).first()
        )
        if membership is None:
            raise NotFound("Membership not found.")
        return membership

    @extend_schema(request=InputSerializer, responses=MembershipOutputSerializer)
    def patch(self, request, project_id, membership_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_change_role(
            membership=self._get(project_id, membership_id),
            actor=request.user,
            role=data.validated_data["role"],
        )
        return Response(MembershipOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id, membership_id):
        membership_remove(membership=self._get(project_id, membership_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectReleaseApi(ProjectScopedApi):
    """End blind coding: every member sees every coding from now on (owners only; audited, idempotent)."""

    roles = {"POST": OWNERS}

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        codings_released_at = serializers.DateTimeField()

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request, project_id):
        project = project_release(project=self.project, actor=request.user)
        return Response(self.OutputSerializer(project).data)
