"""The caller's own account (name, password, API tokens) and, for instance administrators, everyone's."""

from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .models import ApiToken, ExternalIdentity
from .services import (
    api_token_create,
    api_token_revoke,
    password_sign_in_check,
    user_change_password,
    user_deactivate,
    user_invite,
    user_password_link_issue,
    user_reactivate,
    user_update_profile,
)


class AccountOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField()
    is_staff = serializers.BooleanField(help_text="An instance administrator (the Users page).")
    passwords = serializers.SerializerMethodField(help_text="Whether this server signs in with passwords.")

    def get_passwords(self, user) -> bool:
        return bool(settings.INTERCODER_LOCAL_PASSWORDS)


class AccountApi(APIView):
    """The caller's account; PATCH changes their display name."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=150, allow_blank=True)

    @extend_schema(responses=AccountOutputSerializer)
    def get(self, request):
        return Response(AccountOutputSerializer(request.user).data)

    @extend_schema(request=InputSerializer, responses=AccountOutputSerializer)
    def patch(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, name=data.validated_data["name"])
        return Response(AccountOutputSerializer(user).data)


class PasswordChangeApi(APIView):
    """Change the caller's password (their other sessions end; this one stays signed in)."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        current_password = serializers.CharField(max_length=256, trim_whitespace=False)
        new_password = serializers.CharField(max_length=256, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request):
        password_sign_in_check()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_change_password(
            user=request.user,
            current=data.validated_data["current_password"],
            new=data.validated_data["new_password"],
        )
        update_session_auth_hash(request._request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's first characters, to tell tokens apart.")
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class ApiTokenListApi(APIView):
    """The caller's API tokens (never their keys); POST makes one and shows its key this once."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    class CreatedOutputSerializer(ApiTokenOutputSerializer):
        key = serializers.CharField()

    @extend_schema(responses=ApiTokenOutputSerializer(many=True))
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
        return Response(ApiTokenOutputSerializer(tokens, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CreatedOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = api_token_create(user=request.user, name=data.validated_data["name"])
        return Response({**ApiTokenOutputSerializer(token).data, "key": key}, status=status.HTTP_201_CREATED)


class ApiTokenDetailApi(APIView):
    """Revoke one of the caller's tokens (it stays listed as revoked)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ApiTokenOutputSerializer})
    def delete(self, request, token_id):
        token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
        if token is None:
            raise NotFound("Token not found.")
        return Response(ApiTokenOutputSerializer(api_token_revoke(token=token)).data)


class AdminUserOutputSerializer(AccountOutputSerializer):
    is_active = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)
    date_joined = serializers.DateTimeField()
    single_sign_on = serializers.SerializerMethodField(
        help_text="Whether the account is linked to an identity at the sign-on provider."
    )

    def get_single_sign_on(self, user) -> bool:
        linked = getattr(user, "sso_linked", None)  # annotated by the list; one query otherwise
        return bool(linked if linked is not None else ExternalIdentity.objects.filter(user=user).exists())


class UserListApi(APIView):
    """Instance administrators: every account, searchable; POST creates one with a link where its owner
    chooses the password (mailed to them, and returned)."""

    permission_classes = [IsAdminUser]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        email = serializers.CharField(max_length=254)
        name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")

    class CreatedOutputSerializer(AdminUserOutputSerializer):
        link = serializers.CharField(help_text="Where the new user sets their password (shown this once).")

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Part of a username, name or email.")],
        responses=AdminUserOutputSerializer(many=True),
    )
    def get(self, request):
        users = (
            get_user_model()
            .objects.annotate(sso_linked=Exists(ExternalIdentity.objects.filter(user=OuterRef("pk"))))
            .order_by("username")
        )
        search = request.query_params.get("search", "").strip()
        if search:
            users = users.filter(
                Q(username__icontains=search)
                | Q(first_name__icontains=search)
                | Q(last_name__icontains=search)
                | Q(email__icontains=search)
            )
        paginator = self.pagination_class()  # type: ignore[operator,misc]  # the stubs type the setting as str
        page = paginator.paginate_queryset(users, request, view=self)
        return paginator.get_paginated_response(AdminUserOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CreatedOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, link = user_invite(
            actor=request.user, site=request.build_absolute_uri("/"), **data.validated_data
        )
        return Response(
            {**AdminUserOutputSerializer(user).data, "link": link}, status=status.HTTP_201_CREATED
        )


class UserDetailApi(APIView):
    """Instance administrators: deactivate (``is_active: false``: signed out at once, tokens revoked,
    unfinished units back to the plans) or reactivate an account. Accounts are never deleted."""

    permission_classes = [IsAdminUser]

    class InputSerializer(serializers.Serializer):
        is_active = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=AdminUserOutputSerializer)
    def patch(self, request, user_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound("User not found.")
        if data.validated_data["is_active"]:
            user = user_reactivate(user=user)
        else:
            user_deactivate(user=user, actor=request.user)
            user.refresh_from_db()
        return Response(AdminUserOutputSerializer(user).data)


class UserPasswordLinkApi(APIView):
    """Instance administrators: a new link where an existing user sets their password (Django's reset
    token; it stops working once used). Mailed to the user and returned, to be shown this once."""

    permission_classes = [IsAdminUser]

    class OutputSerializer(serializers.Serializer):
        link = serializers.CharField()
        mailed_to = serializers.CharField(allow_blank=True)

    @extend_schema(request=None, responses={201: OutputSerializer})
    def post(self, request, user_id):
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound("User not found.")
        link = user_password_link_issue(actor=request.user, user=user, site=request.build_absolute_uri("/"))
        return Response({"link": link, "mailed_to": user.email}, status=status.HTTP_201_CREATED)
