from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from annotate.cases.selectors import case_get
from annotate.core.api.serializers import BackgroundJobOutputSerializer
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import OWNERS, READ_MEMBERS_WRITE_OWNERS

from .imports import Upload, import_file_details, import_job_create, import_options_build, import_preview
from .selectors import (
    document_get,
    document_list,
    document_speakers,
    import_job_get,
    import_job_list,
    segment_list,
)
from .services import (
    SegmentSpec,
    document_create,
    document_delete,
    document_speaker_roles_set,
    document_update,
)


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


class DocumentSpeakersApi(ProjectScopedApi):
    """Who speaks in a transcript: each speaker's turns, how many are codable, the codings on them. Owners
    say who interviewed (PUT): those speakers' turns become context, everyone else's codable; refused with
    409 rather than hide a coding or a submitted unit."""

    roles = READ_MEMBERS_WRITE_OWNERS
    pagination_class = None  # type: ignore[assignment]  # a transcript has a handful of speakers: one plain list

    class InputSerializer(serializers.Serializer):
        interviewers = serializers.ListField(
            child=serializers.CharField(max_length=200), allow_empty=True, max_length=200
        )

    class SpeakerSerializer(serializers.Serializer):
        speaker = serializers.CharField()
        turns = serializers.IntegerField()
        codable = serializers.IntegerField()
        codings = serializers.IntegerField()

    @extend_schema(responses=SpeakerSerializer(many=True))
    def get(self, request, project_id, document_id):
        document = document_get(project_id=project_id, document_id=document_id)
        return Response(self.SpeakerSerializer(document_speakers(document=document), many=True).data)

    @extend_schema(request=InputSerializer, responses=dict)
    def put(self, request, project_id, document_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = document_get(project_id=project_id, document_id=document_id)
        change = document_speaker_roles_set(
            document=document, actor=request.user, interviewers=data.validated_data["interviewers"]
        )
        return Response(
            {
                **change,
                "speakers": self.SpeakerSerializer(document_speakers(document=document), many=True).data,
            }
        )


class SegmentListApi(ProjectScopedApi):
    @extend_schema(responses=SegmentOutputSerializer(many=True))
    def get(self, request, project_id, document_id):
        document = document_get(project_id=project_id, document_id=document_id)
        segments = list(segment_list(document=document))
        for segment in segments:
            segment.document = document  # one text in memory, no query per segment
        return self.paginate(segments, SegmentOutputSerializer)


# --- Import -----------------------------------------------------------------------------------------------


class ImportInputSerializer(serializers.Serializer):
    """The same input for the preview and the import, so what was previewed is what gets imported."""

    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="One or more transcripts (.txt .md .docx .pdf .vtt .srt .csv) and/or .zip batches.",
    )
    options = serializers.JSONField(
        required=False,
        default=dict,
        help_text="ImportOptions as a JSON object: segmentation, encoding, speaker_pattern, "
        "interviewer_labels, interviewer_speakers, exclude_interviewer, fixed_size, csv_*_column.",
    )
    case = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Empty: the case is taken from each file name.",
    )
    analysis_order = serializers.IntegerField(
        required=False,
        min_value=1,
        allow_null=True,
        default=None,
        help_text="Analysis order of the first document (the next ones follow); empty: after the last one.",
    )
    details = serializers.JSONField(
        required=False,
        default=dict,
        help_text='Per file uploaded one by one: {"<file name>": {"title", "case" (an identifier, found or '
        'created), "interview_date" (YYYY-MM-DD)}}. Empty fields: from the file name.',
    )

    def validate_options(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("Give the options as a JSON object.")
        return value


def _import_arguments(api, request, project_id) -> dict:
    data = ImportInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    case_id = values["case"]
    uploads = [Upload(name=f.name, file=f, size=f.size) for f in values["files"]]
    return {
        "project": api.project,
        "uploads": uploads,
        "options": import_options_build(values["options"]),
        "case": case_get(project_id=project_id, case_id=case_id) if case_id is not None else None,
        "analysis_order": values["analysis_order"],
        "details": import_file_details(uploads, values["details"]),
    }


class ImportJobOutputSerializer(BackgroundJobOutputSerializer):
    files_total = serializers.IntegerField()
    files_imported = serializers.IntegerField()
    files_duplicate = serializers.IntegerField()
    files_failed = serializers.IntegerField()
    segments_imported = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    created_by = serializers.IntegerField(source="created_by_id")


class ImportJobDetailOutputSerializer(ImportJobOutputSerializer):
    options = serializers.JSONField()
    report = serializers.JSONField(help_text="One entry per file: filename, status, message, document…")


class DocumentImportPreviewApi(ProjectScopedApi):
    """Parse the uploads exactly as the import would and show the result; nothing is written."""

    roles = {"POST": OWNERS}
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": ImportInputSerializer}, responses={200: dict})
    def post(self, request, project_id):
        arguments = _import_arguments(self, request, project_id)
        arguments.pop("analysis_order")
        files = import_preview(**arguments)
        return Response({"options": arguments["options"].to_dict(), "files": files})


class ImportJobListApi(ProjectScopedApi):
    roles = READ_MEMBERS_WRITE_OWNERS
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=ImportJobOutputSerializer(many=True))
    def get(self, request, project_id):
        return self.paginate(import_job_list(project_id=project_id), ImportJobOutputSerializer)

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={202: ImportJobDetailOutputSerializer},
    )
    def post(self, request, project_id):
        job = import_job_create(actor=request.user, **_import_arguments(self, request, project_id))
        job = import_job_get(project_id=project_id, job_id=job.id)  # as the eager/test worker left it
        return Response(ImportJobDetailOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobDetailApi(ProjectScopedApi):
    @extend_schema(responses=ImportJobDetailOutputSerializer)
    def get(self, request, project_id, job_id):
        return Response(
            ImportJobDetailOutputSerializer(import_job_get(project_id=project_id, job_id=job_id)).data
        )
