from django.urls import path

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
