from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import READ_MEMBERS_WRITE_OWNERS

from .selectors import code_get, code_list, code_paths, codebook_current_version, codebook_get, version_list
from .services import code_create, code_update


class CodeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    name = serializers.CharField()
    path = serializers.SerializerMethodField()
    definition = serializers.CharField()
    inclusion = serializers.CharField()
    exclusion = serializers.CharField()
    typical_example = serializers.CharField()
    atypical_example = serializers.CharField()
    colour = serializers.CharField()
    is_active = serializers.BooleanField()
    position = serializers.IntegerField()

    def get_path(self, code) -> str:
        return self.context.get("paths", {}).get(code.id, code.name)


class CodeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)
    definition = serializers.CharField(required=False, allow_blank=True)
    inclusion = serializers.CharField(required=False, allow_blank=True)
    exclusion = serializers.CharField(required=False, allow_blank=True)
    typical_example = serializers.CharField(required=False, allow_blank=True)
    atypical_example = serializers.CharField(required=False, allow_blank=True)
    colour = serializers.CharField(required=False, max_length=7)
    rationale = serializers.CharField(required=False, allow_blank=True, default="")


class CodebookApi(ProjectScopedApi):
    """The codebook as it stands: every code (active or not) and the version in force."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        version = serializers.IntegerField()
        codes = CodeOutputSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request, project_id):
        codebook = codebook_get(project_id=project_id)
        codes = code_list(codebook=codebook)
        context = {"paths": code_paths(codebook=codebook)}
        return Response(
            {
                "id": codebook.id,
                "name": codebook.name,
                "version": codebook_current_version(codebook=codebook).number,
                "codes": CodeOutputSerializer(codes, many=True, context=context).data,
            }
        )


class CodeListApi(ProjectScopedApi):
    roles = READ_MEMBERS_WRITE_OWNERS

    @extend_schema(request=CodeInputSerializer, responses={201: CodeOutputSerializer})
    def post(self, request, project_id):
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent_id = values.pop("parent")
        parent = code_get(project_id=project_id, code_id=parent_id) if parent_id is not None else None
        code = code_create(
            codebook=codebook_get(project_id=project_id), actor=request.user, parent=parent, **values
        )
        return Response(CodeOutputSerializer(code).data, status=status.HTTP_201_CREATED)


class CodeDetailApi(ProjectScopedApi):
    roles = READ_MEMBERS_WRITE_OWNERS

    class PatchSerializer(CodeInputSerializer):
        name = serializers.CharField(max_length=200, required=False)
        parent = serializers.IntegerField(required=False, allow_null=True)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(responses=CodeOutputSerializer)
    def get(self, request, project_id, code_id):
        return Response(CodeOutputSerializer(code_get(project_id=project_id, code_id=code_id)).data)

    @extend_schema(request=PatchSerializer, responses=CodeOutputSerializer)
    def patch(self, request, project_id, code_id):
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rationale = values.pop("rationale", "")
        if "parent" in values and values["parent"] is not None:
            values["parent"] = code_get(project_id=project_id, code_id=values["parent"])
        code = code_update(
            code=code_get(project_id=project_id, code_id=code_id),
            actor=request.user,
            data=values,
            rationale=rationale,
        )
        return Response(CodeOutputSerializer(code).data)


class CodebookVersionListApi(ProjectScopedApi):
    class OutputSerializer(serializers.Serializer):
        number = serializers.IntegerField()
        created_at = serializers.DateTimeField()
        created_by = serializers.CharField(source="created_by.username")
        rationale = serializers.CharField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request, project_id):
        return self.paginate(
            version_list(codebook=codebook_get(project_id=project_id)), self.OutputSerializer
        )
