from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from annotate.codebook.selectors import code_get
from annotate.core.api.params import query_params
from annotate.documents.selectors import segment_get
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import CODERS, MEMBERS

from .selectors import coding_get_visible, coding_list_visible
from .services import coding_create, coding_delete


class CodingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    segment = serializers.IntegerField(source="segment_id")
    code = serializers.IntegerField(source="code_id")
    coder = serializers.IntegerField(source="coder_id")
    coder_username = serializers.CharField(source="coder.username")
    codebook_version = serializers.IntegerField(source="codebook_version_id")
    span_start = serializers.IntegerField(allow_null=True)
    span_end = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class CodingListApi(ProjectScopedApi):
    roles = {"GET": MEMBERS, "POST": CODERS}

    class FilterSerializer(serializers.Serializer):
        document = serializers.IntegerField(required=False)
        segment = serializers.IntegerField(required=False)
        code = serializers.IntegerField(required=False)
        coder = serializers.IntegerField(required=False)

    class InputSerializer(serializers.Serializer):
        segment = serializers.IntegerField()
        code = serializers.IntegerField()
        span_start = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
        span_end = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)

        def validate(self, attrs):
            if (attrs["span_start"] is None) != (attrs["span_end"] is None):
                raise serializers.ValidationError("Give both span_start and span_end, or neither.")
            return attrs

    @extend_schema(parameters=[FilterSerializer], responses=CodingOutputSerializer(many=True))
    def get(self, request, project_id):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        codings = coding_list_visible(membership=self.membership, filters=filters.validated_data)
        return self.paginate(codings, CodingOutputSerializer)

    @extend_schema(
        request=InputSerializer, responses={201: CodingOutputSerializer, 200: CodingOutputSerializer}
    )
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        span = (values["span_start"], values["span_end"]) if values["span_start"] is not None else None
        coding, created = coding_create(
            project_id=project_id,
            coder=request.user,
            segment=segment_get(project_id=project_id, segment_id=values["segment"]),
            code=code_get(project_id=project_id, code_id=values["code"]),
            span=span,
        )
        return Response(
            CodingOutputSerializer(coding).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CodingDetailApi(ProjectScopedApi):
    roles = {"GET": MEMBERS, "DELETE": CODERS}

    @extend_schema(responses=CodingOutputSerializer)
    def get(self, request, project_id, coding_id):
        return Response(
            CodingOutputSerializer(coding_get_visible(membership=self.membership, coding_id=coding_id)).data
        )

    @extend_schema(responses={204: None})
    def delete(self, request, project_id, coding_id):
        coding_delete(
            coding=coding_get_visible(membership=self.membership, coding_id=coding_id), actor=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
