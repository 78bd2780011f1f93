"""The base of every project-scoped API: authentication, the role check, and the caller's membership."""

from rest_framework.pagination import BasePagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .permissions import MEMBERS, ProjectRolePermission
from .selectors import membership_for_request


class ProjectScopedApi(APIView):
    permission_classes = [IsAuthenticated, ProjectRolePermission]
    roles: dict = {"GET": MEMBERS}
    # APIView (unlike GenericAPIView) has no pagination_class; ``paginate`` needs one.
    # api_settings imports the setting's dotted path; the stubs type it as the string.
    pagination_class: type[BasePagination] = api_settings.DEFAULT_PAGINATION_CLASS  # type: ignore[assignment]

    @property
    def membership(self):
        return membership_for_request(self.request, self.kwargs["project_id"])

    @property
    def project(self):
        return self.membership.project

    def paginate(self, queryset, serializer_class, context=None):
        """One page of ``queryset``, serialized. ``context(page)``, when given, returns the serializer's
        context for that page: a way to read what the items need for the page alone, in one query."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        extra = context(page) if context is not None else {}
        return paginator.get_paginated_response(serializer_class(page, many=True, context=extra).data)
