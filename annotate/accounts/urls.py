from django.urls import path

from .apis import MeApi, SessionLoginApi, SessionLogoutApi, TokenObtainApi

urlpatterns = [
    path("token/", TokenObtainApi.as_view(), name="auth-token"),
    path("login/", SessionLoginApi.as_view(), name="auth-login"),
    path("logout/", SessionLogoutApi.as_view(), name="auth-logout"),
    path("me/", MeApi.as_view(), name="auth-me"),
]
