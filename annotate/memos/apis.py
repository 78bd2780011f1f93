from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from annotate.cases.selectors import case_get
from annotate.codebook.selectors import code_get
from annotate.core.api.params import query_params
from annotate.documents.selectors import segment_get
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import CODERS, MEMBERS

from .selectors import memo_get_visible, memo_list_visible
from .services import memo_create, memo_delete, memo_update


class MemoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.IntegerField(source="author_id")
    author_username = serializers.CharField(source="author.username")
    text = serializers.CharField()
    target_type = serializers.CharField()
    segment = serializers.IntegerField(source="segment_id", allow_null=True)
    code = serializers.IntegerField(source="code_id", allow_null=True)
    case = serializers.IntegerField(source="case_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MemoListApi(ProjectScopedApi):
    roles = {"GET": MEMBERS, "POST": CODERS}

    class FilterSerializer(serializers.Serializer):
        segment = serializers.IntegerField(required=False)
        code = serializers.IntegerField(required=False)
        case = serializers.IntegerField(required=False)

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=20000)
        segment = serializers.IntegerField(required=False, allow_null=True, default=None)
        code = serializers.IntegerField(required=False, allow_null=True, default=None)
        case = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(parameters=[FilterSerializer], responses=MemoOutputSerializer(many=True))
    def get(self, request, project_id):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return self.paginate(
            memo_list_visible(membership=self.membership, filters=filters.validated_data),
            MemoOutputSerializer,
        )

    @extend_schema(request=InputSerializer, responses={201: MemoOutputSerializer})
    def post(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        memo = memo_create(
            project_id=project_id,
            author=request.user,
            text=v["text"],
            segment=segment_get(project_id=project_id, segment_id=v["segment"]) if v["segment"] else None,
            code=code_get(project_id=project_id, code_id=v["code"]) if v["code"] else None,
            case=case_get(project_id=project_id, case_id=v["case"]) if v["case"] else None,
        )
        return Response(MemoOutputSerializer(memo).data, status=status.HTTP_201_CREATED)


class MemoDetailApi(ProjectScopedApi):
    roles = {"GET": MEMBERS, "PATCH": CODERS, "DELETE": CODERS}

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=20000)

    @extend_schema(responses=MemoOutputSerializer)
    def get(self, request, project_id, memo_id):
        return Response(
            MemoOutputSerializer(memo_get_visible(membership=self.membership, memo_id=memo_id)).data
        )

    @extend_schema(request=InputSerializer, responses=MemoOutputSerializer)
    def patch(self, request, project_id, memo_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        memo = memo_update(
            memo=memo_get_visible(membership=self.membership, memo_id=memo_id),
            actor=request.user,
            text=data.validated_data["text"],
        )
        return Response(MemoOutputSerializer(memo).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id, memo_id):
        memo_delete(memo=memo_get_visible(membership=self.membership, memo_id=memo_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
