from django.contrib.auth import authenticate, login, logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.core.exceptions import ApplicationError

from .redirects import safe_next_path
from .services import api_token_create, password_sign_in_check
from .throttling import LOGIN_THROTTLES


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"}, trim_whitespace=False)


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


def _authenticate(request):
    password_sign_in_check()
    serializer = CredentialsSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(
        request,
        username=serializer.validated_data["username"],
        password=serializer.validated_data["password"],
    )
    if user is None:
        # The same words for an unknown username, a wrong password and a deactivated account: the answer
        # never tells whether an account exists.
        raise ApplicationError("Wrong username or password.", status=400)
    return user


class TokenObtainApi(APIView):
    """Exchange a username and password for a new API token (``Authorization: Token <key>``), named
    ``name``; it is listed, and can be revoked, on the user's Account page."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = LOGIN_THROTTLES
    # Form fields too, so that ``curl -d username=… -d password=…`` works as scripts write it.
    parser_classes = [JSONParser, FormParser]

    class InputSerializer(CredentialsSerializer):
        name = serializers.CharField(required=False, max_length=100, default="API token")

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        user = _authenticate(request)
        name = str(request.data.get("name") or "API token")
        _token, key = api_token_create(user=user, name=name)
        return Response({"token": key})


class SessionLoginApi(APIView):
    """Log in the browser (session cookie). ``next`` is where the page wants to go afterwards; the answer's
    ``next`` is that path if it is on this site, else the projects page."""

    permission_classes = [AllowAny]
    throttle_classes = LOGIN_THROTTLES

    class InputSerializer(CredentialsSerializer):
        next = serializers.CharField(required=False, allow_blank=True, max_length=2000, trim_whitespace=False)

    class OutputSerializer(UserOutputSerializer):
        next = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request):
        user = _authenticate(request)
        login(request, user)
        data = dict(UserOutputSerializer(user).data)
        data["next"] = safe_next_path(request.data.get("next"), request=request)
        return Response(data)


class SessionLogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserOutputSerializer)
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)
