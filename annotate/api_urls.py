"""Every API route, version 1. One include per app keeps each app's URLs next to its APIs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from annotate.core.apis import HealthApi

urlpatterns = [
    path("health/", HealthApi.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="schema"), name="docs"),
    path("docs/swagger/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs-swagger"),
    path("auth/", include("annotate.accounts.urls")),
    path("projects/", include("annotate.projects.urls")),
]
