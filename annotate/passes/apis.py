"""Secondary passes of a project: the link to its parent code and the passes opened from it (every member
reads), and opening one (owners)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from annotate.explore.apis import FilterSerializer, RetrievalInputSerializer
from annotate.explore.passages import CodeQuery
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import MEMBERS, OWNERS

from .selectors import secondary_pass_links
from .services import secondary_pass_create


class SecondaryPassApi(ProjectScopedApi):
    """GET: ``parent`` (the pass this project is, with its parent project and code) and ``passes`` (those
    opened from this project). POST (owners): open a pass on the passages of ``code`` (a code query with
    ``any``, ``none``, ``subcodes`` and the Explore filters, as for passages), read from ``source``
    (default ``final``, the adjudicated coding); ``name``; ``members``: the user ids of the project's
    members who join, in their roles (default: every member)."""

    roles = {"GET": MEMBERS, "POST": OWNERS}

    class InputSerializer(RetrievalInputSerializer):
        name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
        members = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        project = serializers.IntegerField(source="project_id")
        name = serializers.CharField()
        parent_project = serializers.IntegerField(source="parent_project_id")
        parent_code = serializers.IntegerField(source="parent_code_id")
        query = serializers.CharField(source="query_title")
        source = serializers.CharField()  # type: ignore[assignment]
        passages = serializers.IntegerField(source="passage_count")

    @extend_schema(responses=dict)
    def get(self, request, project_id):
        return Response(secondary_pass_links(membership=self.membership))

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, project_id):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        secondary = secondary_pass_create(
            membership=self.membership,
            actor=request.user,
            query=CodeQuery(
                all=data.get("code", ()),
                any=data.get("any", ()),
                none=data.get("none", ()),
                subcodes=data["subcodes"],
            ),
            filters=FilterSerializer.segment_filters(data),
            source=data.get("source"),
            coder=data.get("coder"),
            name=data["name"],
            member_ids=data.get("members"),
        )
        return Response(self.OutputSerializer(secondary).data, status=status.HTTP_201_CREATED)
