"""Export and .qdpx import endpoints. Thin: validate → service/selector → serialize."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from annotate.core.api.serializers import BackgroundJobOutputSerializer
from annotate.core.exceptions import ApplicationError
from annotate.core.models import JobStatus
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import MEMBERS, OWNERS

from .models import KIND_FORMATS, ExportKind, ProjectImportJob
from .qdpx_import import project_import_request
from .selectors import export_check, export_contents, export_job_get_visible, export_job_list_visible
from .services import (
    export_download_record,
    export_file_path,
    export_job_request,
    export_params_validate,
)


class ExportJobOutputSerializer(BackgroundJobOutputSerializer):
    kind = serializers.CharField()
    format = serializers.CharField()
    params = serializers.JSONField()
    result = serializers.JSONField(allow_null=True)
    file_name = serializers.CharField()
    size_bytes = serializers.IntegerField()
    row_count = serializers.IntegerField()
    created_by = serializers.CharField(source="created_by.username")
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, job) -> str | None:
        if job.status != JobStatus.DONE:
            return None
        return reverse("export-download", kwargs={"project_id": job.project_id, "job_id": job.id})


class ExportJobListApi(ProjectScopedApi):
    """Exports of the project: owners and adjudicators see all, other members their own. Any member may
    request one; what each role may export is decided by ``selectors.export_check``."""

    roles = {"GET": MEMBERS, "POST": MEMBERS}

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ExportKind.values)
        format = serializers.ChoiceField(
            choices=sorted({f for formats in KIND_FORMATS.values() for f in formats}), required=False
        )
        params = serializers.DictField(required=False, default=dict)

    @extend_schema(responses=ExportJobOutputSerializer(many=True))
    def get(self, request, project_id):
        return self.paginate(export_job_list_visible(membership=self.membership), ExportJobOutputSerializer)

    @extend_schema(request=InputSerializer, responses={202: ExportJobOutputSerializer})
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = export_job_request(
            membership=self.membership,
            actor=request.user,
            kind=data.validated_data["kind"],
            fmt=data.validated_data.get("format"),
            params=data.validated_data["params"],
        )
        job.refresh_from_db()
        return Response(ExportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportPreviewApi(ProjectScopedApi):
    """What an export would hold, before it runs: the same body as a request, answered with the clean
    parameters and, for codings, matrices and quotations, the counts (codings and units from the coders
    and from the final coding, units left out, transcripts, cases, codes) and one sentence that says it.
    Writes nothing; refused exactly as the request itself would be."""

    roles = {"POST": MEMBERS}

    class OutputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        format = serializers.CharField()
        params = serializers.JSONField()
        contents = serializers.JSONField(
            help_text="which, codings_from_coders, codings_final, units, units_decided, units_from_coders, "
            "units_left_out, documents, cases, codes, summary"
        )

    @extend_schema(request=ExportJobListApi.InputSerializer, responses=OutputSerializer)
    def post(self, request, project_id):
        data = ExportJobListApi.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        fmt, params = export_params_validate(
            project=self.project,
            kind=kind,
            fmt=data.validated_data.get("format"),
            params=data.validated_data["params"],
            role=self.membership.role,
        )
        export_check(membership=self.membership, kind=kind, params=params)
        contents = export_contents(membership=self.membership, kind=kind, params=params)
        return Response({"kind": kind, "format": fmt, "params": params, "contents": contents})


class ExportJobDetailApi(ProjectScopedApi):
    roles = {"GET": MEMBERS}

    @extend_schema(responses=ExportJobOutputSerializer)
    def get(self, request, project_id, job_id):
        job = export_job_get_visible(membership=self.membership, job_id=job_id)
        return Response(ExportJobOutputSerializer(job).data)


class ExportJobDownloadApi(ProjectScopedApi):
    """The file, streamed. The member must still be allowed this kind of export (roles can change after a
    request); 409 while the job is not done."""

    roles = {"GET": MEMBERS}

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, project_id, job_id):
        job = export_job_get_visible(membership=self.membership, job_id=job_id)
        try:
            export_check(membership=self.membership, kind=job.kind, params=job.params)
        except PermissionDenied:
            raise NotFound("Export not found.") from None
        if job.status != JobStatus.DONE:
            raise ApplicationError(
                f"The export is {job.status}; there is nothing to download yet.", status=409
            )
        path = export_file_path(job)
        export_download_record(job=job, actor=request.user)
        content_types = {
            "csv": "text/csv; charset=utf-8",
            "jsonl": "application/jsonl; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "html": "text/html; charset=utf-8",
            "md": "text/markdown; charset=utf-8",
            "qdpx": "application/zip",
            "qdc": "application/xml",
        }
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=job.file_name,
            content_type=content_types[job.format],
        )


class ProjectImportOutputSerializer(BackgroundJobOutputSerializer):
    result = serializers.JSONField(allow_null=True)
    file_name = serializers.CharField()
    size_bytes = serializers.IntegerField()


class ProjectImportListApi(ProjectScopedApi):
    """Import a REFI-QDA project (.qdpx) into this project, which must be empty. Owners only."""

    roles = {"GET": OWNERS, "POST": OWNERS}
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

    @extend_schema(responses=ProjectImportOutputSerializer(many=True))
    def get(self, request, project_id):
        jobs = ProjectImportJob.objects.filter(project_id=project_id).order_by("-created_at", "-id")
        return self.paginate(jobs, ProjectImportOutputSerializer)

    @extend_schema(request=InputSerializer, responses={202: ProjectImportOutputSerializer})
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = project_import_request(
            project=self.project, actor=request.user, upload=data.validated_data["file"]
        )
        job.refresh_from_db()
        return Response(ProjectImportOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ProjectImportDetailApi(ProjectScopedApi):
    roles = {"GET": OWNERS}

    @extend_schema(responses=ProjectImportOutputSerializer)
    def get(self, request, project_id, job_id):
        job = ProjectImportJob.objects.filter(project_id=project_id, pk=job_id).first()
        if job is None:
            raise NotFound("Import not found.")
        return Response(ProjectImportOutputSerializer(job).data)
