from django.contrib.auth import authenticate, login, logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.core.exceptions import ApplicationError

from .throttling import LoginRateThrottle


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"}, trim_whitespace=False)


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


def _authenticate(request):
    serializer = CredentialsSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    user = authenticate(request, **serializer.validated_data)
    if user is None:
        raise ApplicationError("Wrong username or password.", status=400)
    return user


class TokenObtainApi(APIView):
    """Exchange a username and password for an API token (``Authorization: Token <key>``)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginRateThrottle]

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=CredentialsSerializer, responses=OutputSerializer)
    def post(self, request):
        user = _authenticate(request)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class SessionLoginApi(APIView):
    """Log in the browser (session cookie)."""

    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(request=CredentialsSerializer, responses=UserOutputSerializer)
    def post(self, request):
        user = _authenticate(request)
        login(request, user)
        return Response(UserOutputSerializer(user).data)


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
