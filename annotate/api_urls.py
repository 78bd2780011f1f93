"""Every API route, version 1. One include per app keeps each app's URLs next to its APIs; the apps' routes
under a project are composed here, so that no app's URLs need to know the apps above it."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from annotate.accounts.urls import invitation_urlpatterns, project_urlpatterns
from annotate.core.apis import HealthApi

urlpatterns = [
    path("health/", HealthApi.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its start-up script served as a file (the split view), in a template with no inline
    # style: the reference page keeps the product's Content-Security-Policy and loads nothing from elsewhere.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="core/api_docs.html"),
        name="docs",
    ),
    path("auth/", include("annotate.accounts.urls")),
    path("invitations/", include(invitation_urlpatterns)),
    # The coding loop's routes first: Django tries patterns in order, and a coder's next, codes and done
    # are most of the traffic. No two apps share a route, so the order changes nothing else.
    path("projects/<int:project_id>/", include("annotate.coding_loop.urls")),
    path("projects/", include("annotate.projects.urls")),
    path("projects/<int:project_id>/", include(project_urlpatterns)),
    path("projects/<int:project_id>/", include("annotate.assignments.urls")),
    path("projects/<int:project_id>/", include("annotate.coding.urls")),
    path("projects/<int:project_id>/", include("annotate.cases.urls")),
    path("projects/<int:project_id>/", include("annotate.documents.urls")),
    path("projects/<int:project_id>/", include("annotate.codebook.urls")),
    path("projects/<int:project_id>/", include("annotate.memos.urls")),
    path("projects/<int:project_id>/", include("annotate.analysis.urls")),
    path("projects/<int:project_id>/", include("annotate.exports.urls")),
    path("projects/<int:project_id>/", include("annotate.adjudication.urls")),
    path("projects/<int:project_id>/", include("annotate.explore.urls")),
    path("projects/<int:project_id>/", include("annotate.passes.urls")),
]
