from django.urls import path

from . import views

app_name = "frontend"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_page, name="login"),
    path("projects/", views.app_page, name="projects"),
    path("projects/<int:project_id>/", views.app_page, name="project"),
    path("projects/<int:project_id>/documents/<int:document_id>/", views.app_page, name="reader"),
]
