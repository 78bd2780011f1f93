from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from annotate.accounts.password_views import PasswordResetRequestView, PasswordResetSetView

from . import views

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_page, name="login"),
    path("account/", views.app_page, name="account"),
    path("users/", views.app_page, name="users"),
    path("invitations/<str:token>/", views.invitation_page, name="invitation"),
    # Password reset: Django's own views, forms and tokens; the answer never says whether an account exists,
    # and the request form is rate-limited per email and per client address.
    path(
        "password-reset/",
        PasswordResetRequestView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            success_url=reverse_lazy("frontend:password-reset-done"),
        ),
        name="password-reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "reset/<uidb64>/<token>/",
        PasswordResetSetView.as_view(success_url=reverse_lazy("frontend:password-reset-complete")),
        name="password-reset-confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("projects/", views.app_page, name="projects"),
    path("projects/<int:project_id>/", views.app_page, name="project"),
    path("projects/<int:project_id>/documents/<int:document_id>/", views.app_page, name="reader"),
]
