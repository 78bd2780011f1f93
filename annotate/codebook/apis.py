from django.http import HttpResponse
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from annotate.core.exceptions import ApplicationError
from annotate.documents.selectors import segment_get
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import CODERS, MEMBERS, OWNERS, READ_MEMBERS_WRITE_OWNERS

from .colours import next_code_colour
from .diff import codebook_diff, snapshot_annotate
from .exchange import (
    MAX_IMPORT_BYTES,
    codebook_csv_parse,
    codebook_csv_render,
    codebook_qdc_parse,
    codebook_qdc_render,
)
from .proposals import code_proposal_create, code_proposal_decide
from .selectors import (
    code_get,
    code_list,
    code_paths,
    codebook_current_version,
    codebook_export_codes,
    codebook_get,
    proposal_get_visible,
    proposal_list_visible,
    version_get,
    version_list,
)
from .services import (
    code_create,
    code_merge,
    code_split,
    code_update,
    codebook_export_record,
    codebook_import,
)


class CodeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # A declared field shadows Field.parent (the enclosing serializer) in the stubs only.
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
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
    guid = serializers.UUIDField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    split_from = serializers.IntegerField(source="split_from_id", allow_null=True)

    def get_path(self, code) -> str:
        return self.context.get("paths", {}).get(code.id, code.name)


class CodeInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    # A declared field shadows Field.parent (the enclosing serializer) in the stubs only.
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)  # type: ignore[assignment]
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
        suggested_colour = serializers.CharField(
            help_text="A colour no code of this codebook has yet: what a new code gets when none is given."
        )

    @extend_schema(responses=OutputSerializer)
    def get(self, request, project_id):
        codebook = codebook_get(project_id=project_id)
        codes = list(code_list(codebook=codebook))
        context = {"paths": code_paths(codebook=codebook)}
        return Response(
            {
                "id": codebook.id,
                "name": codebook.name,
                "version": codebook_current_version(codebook=codebook).number,
                "codes": CodeOutputSerializer(codes, many=True, context=context).data,
                "suggested_colour": next_code_colour(code.colour for code in codes),
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


class CodebookVersionDetailApi(ProjectScopedApi):
    """One version: who made it, when, why, and every code as it stood (with its path and, for a code
    that was split, the codes it was split into)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id, number):
        version = version_get(codebook=codebook_get(project_id=project_id), number=number)
        return Response(
            {
                "number": version.number,
                "created_at": serializers.DateTimeField().to_representation(version.created_at),
                "created_by": version.created_by.username,
                "rationale": version.rationale,
                "codes": snapshot_annotate(version.snapshot),
            }
        )


class CodebookVersionDiffApi(ProjectScopedApi):
    """What changed from version ``a`` to version ``b``, computed from the two snapshots."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id, a, b):
        codebook = codebook_get(project_id=project_id)
        old, new = version_get(codebook=codebook, number=a), version_get(codebook=codebook, number=b)
        return Response({"from": old.number, "to": new.number, **codebook_diff(old.snapshot, new.snapshot)})


class CodeMergeApi(ProjectScopedApi):
    roles = {"POST": OWNERS}

    class InputSerializer(serializers.Serializer):
        target = serializers.IntegerField()
        rationale = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=CodeOutputSerializer)
    def post(self, request, project_id, code_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = code_merge(
            code=code_get(project_id=project_id, code_id=code_id),
            target=code_get(project_id=project_id, code_id=data.validated_data["target"]),
            actor=request.user,
            rationale=data.validated_data["rationale"],
        )
        return Response(CodeOutputSerializer(target).data)


class CodeSplitApi(ProjectScopedApi):
    roles = {"POST": OWNERS}

    class NewCodeSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        definition = serializers.CharField(required=False, allow_blank=True)
        inclusion = serializers.CharField(required=False, allow_blank=True)
        exclusion = serializers.CharField(required=False, allow_blank=True)
        typical_example = serializers.CharField(required=False, allow_blank=True)
        atypical_example = serializers.CharField(required=False, allow_blank=True)
        colour = serializers.CharField(required=False, max_length=7)

    class InputSerializer(serializers.Serializer):
        new_codes = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=50)
        rationale = serializers.CharField()
        deactivate_original = serializers.BooleanField(required=False, default=False)

        def validate_new_codes(self, value):
            specs = []
            for item in value:
                spec = CodeSplitApi.NewCodeSerializer(data=item)
                spec.is_valid(raise_exception=True)
                specs.append(dict(spec.validated_data))
            return specs

    @extend_schema(request=InputSerializer, responses={201: CodeOutputSerializer(many=True)})
    def post(self, request, project_id, code_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = code_split(
            code=code_get(project_id=project_id, code_id=code_id),
            actor=request.user,
            new_codes=data.validated_data["new_codes"],
            rationale=data.validated_data["rationale"],
            deactivate_original=data.validated_data["deactivate_original"],
        )
        return Response(CodeOutputSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


# --- proposals ----------------------------------------------------------------------------------------


class ProposalOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    definition = serializers.CharField()
    segment = serializers.IntegerField(source="segment_id", allow_null=True)
    # A declared field shadows Field.parent (the enclosing serializer) in the stubs only.
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    proposed_by = serializers.CharField(source="proposed_by.username")
    created_at = serializers.DateTimeField()
    status = serializers.CharField()
    code = serializers.IntegerField(source="code_id", allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class ProposalListApi(ProjectScopedApi):
    """Coders propose codes during a thematic pass; owners see every proposal, others their own."""

    roles = {"GET": MEMBERS, "POST": CODERS}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        definition = serializers.CharField(max_length=20000)
        segment = serializers.IntegerField(required=False, allow_null=True, default=None)
        # A declared field shadows Field.parent (the enclosing serializer) in the stubs only.
        parent = serializers.IntegerField(required=False, allow_null=True, default=None)  # type: ignore[assignment]

    @extend_schema(responses=ProposalOutputSerializer(many=True))
    def get(self, request, project_id):
        return self.paginate(proposal_list_visible(membership=self.membership), ProposalOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: ProposalOutputSerializer})
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        proposal = code_proposal_create(
            codebook=codebook_get(project_id=project_id),
            actor=request.user,
            name=values["name"],
            definition=values["definition"],
            segment=(
                segment_get(project_id=project_id, segment_id=values["segment"])
                if values["segment"] is not None
                else None
            ),
            parent=code_get(project_id=project_id, code_id=values["parent"])
            if values["parent"] is not None
            else None,
        )
        return Response(ProposalOutputSerializer(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetailApi(ProjectScopedApi):
    @extend_schema(responses=ProposalOutputSerializer)
    def get(self, request, project_id, proposal_id):
        proposal = proposal_get_visible(membership=self.membership, proposal_id=proposal_id)
        return Response(ProposalOutputSerializer(proposal).data)


class ProposalDecideApi(ProjectScopedApi):
    roles = {"POST": OWNERS}
    DECISIONS = {"accept": "accepted", "merge": "merged", "reject": "rejected"}

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["accept", "merge", "reject"])
        target = serializers.IntegerField(required=False, allow_null=True, default=None)
        note = serializers.CharField(max_length=20000)

    @extend_schema(request=InputSerializer, responses=ProposalOutputSerializer)
    def post(self, request, project_id, proposal_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        proposal = code_proposal_decide(
            proposal=proposal_get_visible(membership=self.membership, proposal_id=proposal_id),
            actor=request.user,
            decision=self.DECISIONS[values["decision"]],
            note=values["note"],
            target=code_get(project_id=project_id, code_id=values["target"])
            if values["target"] is not None
            else None,
        )
        return Response(ProposalOutputSerializer(proposal).data)


# --- exchange files -----------------------------------------------------------------------------------

EXCHANGE_FORMATS = {
    "csv": ("text/csv; charset=utf-8", codebook_csv_render, codebook_csv_parse),
    "qdc": ("application/xml; charset=utf-8", codebook_qdc_render, codebook_qdc_parse),
}


def _exchange_format(file_format: str):
    if file_format not in EXCHANGE_FORMATS:
        raise ApplicationError(f"Unknown format {file_format!r}; use csv or qdc.", status=404)
    return EXCHANGE_FORMATS[file_format]


class _DownloadRenderer(JSONRenderer):
    """Lets a download be asked for with any ``Accept`` (``text/csv``, ``application/xml``); the file
    itself is an ``HttpResponse``, and an error is still JSON."""

    media_type = "*/*"
    format = "download"


class CodebookExportApi(ProjectScopedApi):
    """The codebook as a file: ``csv`` (one row per code, every field) or ``qdc`` (REFI-QDA codebook).
    The export is recorded in the audit trail."""

    renderer_classes = [JSONRenderer, _DownloadRenderer]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, project_id, file_format):
        content_type, render, _ = _exchange_format(file_format)
        codebook = codebook_get(project_id=project_id)
        codes = codebook_export_codes(codebook=codebook)
        content = render(codes)
        codebook_export_record(
            codebook=codebook, actor=request.user, file_format=file_format, codes=len(codes)
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="codebook-project-{project_id}.{file_format}"'
        )
        return response


class CodebookImportApi(ProjectScopedApi):
    """Add the codes of a ``csv`` or ``qdc`` file (multipart field ``file``) as one new version. All or
    nothing: any problem in the file refuses the whole import with a 4xx naming the row or element."""

    roles = {"POST": OWNERS}
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(max_length=500)
        rationale = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, project_id, file_format):
        _, _, parse = _exchange_format(file_format)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ApplicationError(
                f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.", status=413
            )
        rows = parse(upload.read())
        version = codebook_import(
            codebook=codebook_get(project_id=project_id),
            actor=request.user,
            rows=rows,
            rationale=data.validated_data["rationale"],
            source=file_format,
        )
        return Response(
            {"version": version.number, "codes_added": len(rows), "rationale": version.rationale},
            status=status.HTTP_201_CREATED,
        )
