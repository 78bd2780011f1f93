"""The projects' own routes under /api/v1/projects/: projects, members, release and the audit trail. The
other apps' project-scoped routes are composed in ``annotate/api_urls.py``."""

from django.urls import path

from .apis import (
    MembershipDetailApi,
    MembershipListApi,
    ProjectDetailApi,
    ProjectListApi,
    ProjectReleaseApi,
)
from .audit_apis import AuditEventListApi

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
    path("<int:project_id>/audit/", AuditEventListApi.as_view(), name="audit-list"),
]
