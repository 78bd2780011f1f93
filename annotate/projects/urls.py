"""Everything under /api/v1/projects/. Each app contributes its project-scoped routes here."""

from django.urls import include, path

from .apis import (
    MembershipDetailApi,
    MembershipListApi,
    ProjectDetailApi,
    ProjectListApi,
    ProjectReleaseApi,
)

urlpatterns = [
    path("", ProjectListApi.as_view(), name="project-list"),
    path("<int:project_id>/", ProjectDetailApi.as_view(), name="project-detail"),
    path("<int:project_id>/members/", MembershipListApi.as_view(), name="membership-list"),
    path(
        "<int:project_id>/members/<int:membership_id>/",
        MembershipDetailApi.as_view(),
        name="membership-detail",
    ),
    path("<int:project_id>/release/", ProjectReleaseApi.as_view(), name="project-release"),
    path("<int:project_id>/audit/", include("annotate.audit.urls")),
    # The coding loop's routes first: Django tries patterns in order, and a coder's next, codes and done
    # are most of the traffic. No two apps share a route, so the order changes nothing else.
    path("<int:project_id>/", include("annotate.assignments.urls")),
    path("<int:project_id>/", include("annotate.coding.urls")),
    path("<int:project_id>/", include("annotate.cases.urls")),
    path("<int:project_id>/", include("annotate.documents.urls")),
    path("<int:project_id>/", include("annotate.codebook.urls")),
    path("<int:project_id>/", include("annotate.memos.urls")),
    path("<int:project_id>/", include("annotate.analysis.urls")),
    path("<int:project_id>/", include("annotate.exports.urls")),
    path("<int:project_id>/", include("annotate.adjudication.urls")),
]
