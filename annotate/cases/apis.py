import datetime as dt

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import OWNERS, READ_MEMBERS_WRITE_OWNERS

from .models import AttributeType
from .selectors import attribute_list, case_get, case_list
from .services import attribute_define, case_attributes_import, case_create, case_delete, case_update


class AttributeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())


class CaseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    identifier = serializers.CharField()
    description = serializers.CharField()
    attributes = serializers.SerializerMethodField()

    def get_attributes(self, case) -> dict:
        out = {}
        for value in case.attribute_values.all():
            v = value.value
            out[value.attribute.name] = v.isoformat() if isinstance(v, dt.date) else v
        return out


class CaseInputSerializer(serializers.Serializer):
    identifier = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    attributes = serializers.DictField(required=False, default=dict)


class AttributeListApi(ProjectScopedApi):
    roles = READ_MEMBERS_WRITE_OWNERS

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        type = serializers.ChoiceField(choices=AttributeType.choices)
        choices = serializers.ListField(
            child=serializers.CharField(max_length=200), required=False, default=list
        )

    @extend_schema(responses=AttributeOutputSerializer(many=True))
    def get(self, request, project_id):
        return self.paginate(attribute_list(project_id=project_id), AttributeOutputSerializer)

    @extend_schema(request=InputSerializer, responses={201: AttributeOutputSerializer})
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        definition = attribute_define(project=self.project, actor=request.user, **data.validated_data)
        return Response(AttributeOutputSerializer(definition).data, status=status.HTTP_201_CREATED)


class CaseListApi(ProjectScopedApi):
    roles = READ_MEMBERS_WRITE_OWNERS

    @extend_schema(responses=CaseOutputSerializer(many=True))
    def get(self, request, project_id):
        return self.paginate(case_list(project_id=project_id), CaseOutputSerializer)

    @extend_schema(request=CaseInputSerializer, responses={201: CaseOutputSerializer})
    def post(self, request, project_id):
        data = CaseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_create(project=self.project, actor=request.user, **data.validated_data)
        return Response(
            CaseOutputSerializer(case_get(project_id=project_id, case_id=case.id)).data,
            status=status.HTTP_201_CREATED,
        )


class CaseDetailApi(ProjectScopedApi):
    roles = READ_MEMBERS_WRITE_OWNERS

    class PatchSerializer(CaseInputSerializer):
        identifier = serializers.CharField(max_length=100, required=False)
        description = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(responses=CaseOutputSerializer)
    def get(self, request, project_id, case_id):
        return Response(CaseOutputSerializer(case_get(project_id=project_id, case_id=case_id)).data)

    @extend_schema(request=PatchSerializer, responses=CaseOutputSerializer)
    def patch(self, request, project_id, case_id):
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_update(
            case=case_get(project_id=project_id, case_id=case_id),
            actor=request.user,
            data=data.validated_data,
        )
        return Response(CaseOutputSerializer(case_get(project_id=project_id, case_id=case_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id, case_id):
        case_delete(case=case_get(project_id=project_id, case_id=case_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseImportApi(ProjectScopedApi):
    """Create and update cases from a case-attribute CSV: all rows or none (400 listing every bad cell)."""

    roles = {"POST": OWNERS}
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(allow_empty_file=True, use_url=False)
        column_types = serializers.JSONField(
            help_text='Attribute columns and their types, e.g. {"role": "choice", "years_in_office": "number"}.'
        )
        id_column = serializers.CharField(max_length=100, required=False, default="participant_id")
        choices = serializers.JSONField(
            required=False, default=dict, help_text="Allowed values per choice column (default: those found)."
        )
        date_format = serializers.CharField(max_length=50, required=False, default="%Y-%m-%d")

        def validate_column_types(self, value):
            if not isinstance(value, dict) or not value:
                raise serializers.ValidationError(
                    'Give a JSON object of column → type, e.g. {"role": "text"}.'
                )
            return value

        def validate_choices(self, value):
            if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
                raise serializers.ValidationError(
                    'Give a JSON object of column → list, e.g. {"role": ["a"]}.'
                )
            return value

    class OutputSerializer(serializers.Serializer):
        created = serializers.ListField(child=serializers.CharField())
        updated = serializers.ListField(child=serializers.CharField())
        unchanged = serializers.ListField(child=serializers.CharField())
        attributes_defined = serializers.ListField(child=serializers.CharField())
        ignored_columns = serializers.ListField(child=serializers.CharField())

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={200: OutputSerializer})
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        upload = values.pop("file")
        summary = case_attributes_import(
            project=self.project, actor=request.user, source=upload, filename=upload.name, **values
        )
        return Response(self.OutputSerializer(summary).data)
