"""A project's audit trail, read through the API. The trail itself (the append-only table, its hash chain,
``verify_audit``) lives in ``annotate.audit``, below projects; reading it is a project-scoped request like
any other, so its view lives here with the project's access rules."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from annotate.audit.selectors import audit_event_list
from annotate.core.api.params import query_params

from .api_base import ProjectScopedApi
from .permissions import OWNERS


class AuditEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_username = serializers.CharField(source="actor.username", allow_null=True, default=None)
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()
    reason = serializers.CharField()
    request_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()


class AuditEventListApi(ProjectScopedApi):
    """The project's audit trail, newest first. Owners only."""

    roles = {"GET": OWNERS}

    class FilterSerializer(serializers.Serializer):
        actor = serializers.IntegerField(required=False)
        action = serializers.CharField(required=False, max_length=64)
        object_type = serializers.CharField(required=False, max_length=64)
        object_id = serializers.CharField(required=False, max_length=64)
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=AuditEventOutputSerializer(many=True))
    def get(self, request, project_id):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        events = audit_event_list(project_id=project_id, filters=filters.validated_data)
        return self.paginate(events, AuditEventOutputSerializer)
