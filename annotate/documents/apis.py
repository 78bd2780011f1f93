from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from annotate.cases.selectors import case_get
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import READ_MEMBERS_WRITE_OWNERS

from .selectors import document_get, document_list, segment_list
from .services import SegmentSpec, document_create, document_delete, document_update


class DocumentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    case = serializers.IntegerField(source="case_id")
    case_identifier = serializers.CharField(source="case.identifier")
    source_filename = serializers.CharField()
    source_format = serializers.CharField()
    sha256 = serializers.CharField()
    interview_date = serializers.DateField(allow_null=True)
    analysis_order = serializers.IntegerField()
    text_length = serializers.IntegerField()
    segment_count = serializers.IntegerField(required=False)
    codable_count = serializers.IntegerField(required=False)
    created_at = serializers.DateTimeField()


class DocumentDetailOutputSerializer(DocumentOutputSerializer):
    text = serializers.CharField()


class SegmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    speaker = serializers.CharField()
    start = serializers.IntegerField(source="start_offset")
    end = serializers.IntegerField(source="end_offset")
    codable = serializers.BooleanField()
    start_time_ms = serializers.IntegerField(allow_null=True)
    end_time_ms = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()


class DocumentListApi(ProjectScopedApi):
    roles = READ_MEMBERS_WRITE_OWNERS

    class InputSerializer(serializers.Serializer):
        class SegmentInput(serializers.Serializer):
            start = serializers.IntegerField(min_value=0)
            end = serializers.IntegerField(min_value=1)
            speaker = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
            codable = serializers.BooleanField(required=False, default=True)

        case = serializers.IntegerField()
        title = serializers.CharField(max_length=255)
        text = serializers.CharField(trim_whitespace=False)
        interview_date = serializers.DateField(required=False, allow_null=True, default=None)
        analysis_order = serializers.IntegerField(required=False, min_value=1, allow_null=True, default=None)
        segments = SegmentInput(
            many=True,
            required=False,
            allow_null=True,
            default=None,
            help_text="Offsets into the normalised text; default: one per paragraph.",
        )

    @extend_schema(responses=DocumentOutputSerializer(many=True))
    def get(self, request, project_id):
        return self.paginate(document_list(project_id=project_id), DocumentOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: DocumentOutputSerializer})
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case = case_get(project_id=project_id, case_id=values.pop("case"))
        raw_segments = values.pop("segments")
        segments = [SegmentSpec(**s) for s in raw_segments] if raw_segments is not None else None
        document = document_create(
            project=self.project,
            actor=request.user,
            case=case,
            segments=segments,
            normalise=segments is None,
            **values,
        )
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailApi(ProjectScopedApi):
    roles = READ_MEMBERS_WRITE_OWNERS

    class PatchSerializer(serializers.Serializer):
        case = serializers.IntegerField(required=False)
        title = serializers.CharField(max_length=255, required=False)
        interview_date = serializers.DateField(required=False, allow_null=True)
        analysis_order = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(responses=DocumentDetailOutputSerializer)
    def get(self, request, project_id, document_id):
        return Response(
            DocumentDetailOutputSerializer(document_get(project_id=project_id, document_id=document_id)).data
        )

    @extend_schema(request=PatchSerializer, responses=DocumentDetailOutputSerializer)
    def patch(self, request, project_id, document_id):
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "case" in values:
            values["case"] = case_get(project_id=project_id, case_id=values["case"])
        document = document_update(
            document=document_get(project_id=project_id, document_id=document_id),
            actor=request.user,
            data=values,
        )
        return Response(DocumentDetailOutputSerializer(document).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id, document_id):
        document_delete(
            document=document_get(project_id=project_id, document_id=document_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SegmentListApi(ProjectScopedApi):
    @extend_schema(responses=SegmentOutputSerializer(many=True))
    def get(self, request, project_id, document_id):
        document = document_get(project_id=project_id, document_id=document_id)
        segments = list(segment_list(document=document))
        for segment in segments:
            segment.document = document  # one text in memory, no query per segment
        return self.paginate(segments, SegmentOutputSerializer)
