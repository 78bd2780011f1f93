from django.urls import path

from .account_apis import (
    AccountApi,
    ApiTokenDetailApi,
    ApiTokenListApi,
    PasswordChangeApi,
    UserDetailApi,
    UserListApi,
    UserPasswordLinkApi,
)
from .apis import MeApi, SessionLoginApi, SessionLogoutApi, TokenObtainApi
from .invitation_apis import (
    InvitationAcceptApi,
    InvitationDetailApi,
    InvitationListApi,
    InvitationOpenApi,
    InvitationRegisterApi,
    InvitationResendApi,
)

urlpatterns = [
    path("token/", TokenObtainApi.as_view(), name="auth-token"),
    path("login/", SessionLoginApi.as_view(), name="auth-login"),
    path("logout/", SessionLogoutApi.as_view(), name="auth-logout"),
    path("me/", MeApi.as_view(), name="auth-me"),
    path("account/", AccountApi.as_view(), name="account"),
    path("account/password/", PasswordChangeApi.as_view(), name="account-password"),
    path("account/tokens/", ApiTokenListApi.as_view(), name="account-token-list"),
    path("account/tokens/<int:token_id>/", ApiTokenDetailApi.as_view(), name="account-token-detail"),
    path("users/", UserListApi.as_view(), name="user-list"),
    path("users/<int:user_id>/", UserDetailApi.as_view(), name="user-detail"),
    path("users/<int:user_id>/password-link/", UserPasswordLinkApi.as_view(), name="user-password-link"),
]

# Under /api/v1/invitations/: what an invitation link opens.
invitation_urlpatterns = [
    path("<str:token>/", InvitationOpenApi.as_view(), name="invitation-open"),
    path("<str:token>/accept/", InvitationAcceptApi.as_view(), name="invitation-accept"),
    path("<str:token>/register/", InvitationRegisterApi.as_view(), name="invitation-register"),
]

# Under /api/v1/projects/<project_id>/: the owners' invitations.
project_urlpatterns = [
    path("invitations/", InvitationListApi.as_view(), name="invitation-list"),
    path("invitations/<int:invitation_id>/", InvitationDetailApi.as_view(), name="invitation-detail"),
    path("invitations/<int:invitation_id>/resend/", InvitationResendApi.as_view(), name="invitation-resend"),
]
