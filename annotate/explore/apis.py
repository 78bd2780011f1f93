"""The Explore APIs: search, retrieval (with its Markdown and CSV downloads) and matrices. Reads only; every
member may call them. What a member sees of codings is decided in ``scope.coding_source``."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import MEMBERS

from .matrices import matrix_code_attribute, matrix_code_case, matrix_cooccurrence
from .passages import CodeQuery, retrieval_build, retrieval_page
from .scope import ROLES, SOURCES, SegmentFilters, segment_scope
from .search import SearchRequest, kwic, search
from .words import word_frequencies
from .writing import retrieval_csv, retrieval_docx, retrieval_markdown


class IdListField(serializers.CharField):
    """Ids separated by commas: ``3,7``."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return tuple(int(part) for part in text.split(",") if part.strip())
        except ValueError:
            raise serializers.ValidationError("Give ids separated by commas, e.g. 3,7.") from None


class AttributeFilterField(serializers.CharField):
    """``<attribute id>:<value>``, e.g. ``4:Elected prosecutor``."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        attribute, sep, value = text.partition(":")
        if not sep or not attribute.strip().isdigit():
            raise serializers.ValidationError("Give <attribute id>:<value>, e.g. 4:Elected prosecutor.")
        return int(attribute), value


class FilterSerializer(serializers.Serializer):
    document = serializers.IntegerField(required=False, min_value=1)
    case = serializers.IntegerField(required=False, min_value=1)
    role = serializers.ChoiceField(choices=ROLES, required=False)
    attribute = serializers.ListField(child=AttributeFilterField(), required=False)
    # A declared field shadows Field.source (the attribute path) in the stubs only.
    source = serializers.ChoiceField(choices=SOURCES, required=False)  # type: ignore[assignment]
    coder = serializers.IntegerField(required=False, min_value=1)
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=20)

    @staticmethod
    def segment_filters(data) -> SegmentFilters:
        return SegmentFilters(
            document=data.get("document"),
            case=data.get("case"),
            role=data.get("role"),
            attributes=tuple(data.get("attribute", ())),
        )


def _validated(serializer_class, request):
    params = request.query_params
    data = {key: params.get(key) for key in params}
    data["attribute"] = params.getlist("attribute")
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SearchApi(ProjectScopedApi):
    """Full-text search of the project's transcripts (``q``: words, "exact phrases", prefix*, OR,
    -exclusions; accents and case ignored), grouped by case, with the matches marked. ``code`` keeps the
    segments coded with it (or a sub-code) in ``source``."""

    roles = {"GET": MEMBERS}
    answer = staticmethod(search)

    class InputSerializer(FilterSerializer):
        q = serializers.CharField(trim_whitespace=True, allow_blank=True)
        code = serializers.IntegerField(required=False, min_value=1)

    @extend_schema(parameters=[InputSerializer], responses=dict)
    def get(self, request, project_id):
        data = _validated(self.InputSerializer, request)
        return Response(
            self.answer(
                SearchRequest(
                    membership=self.membership,
                    text=data["q"],
                    filters=FilterSerializer.segment_filters(data),
                    code=data.get("code"),
                    source=data.get("source"),
                    page=data["page"],
                    page_size=data["page_size"],
                )
            )
        )


class KwicApi(SearchApi):
    """Keyword-in-context lines of a search (``q`` and filters as for search), a page of matching segments
    at a time."""

    answer = staticmethod(kwic)


class RetrievalInputSerializer(FilterSerializer):
    code = IdListField(required=False)
    any = IdListField(required=False)
    none = IdListField(required=False)
    subcodes = serializers.BooleanField(required=False, default=True)


def _retrieval(api, request):
    data = _validated(RetrievalInputSerializer, request)
    retrieval = retrieval_build(
        membership=api.membership,
        query=CodeQuery(
            all=data.get("code", ()),
            any=data.get("any", ()),
            none=data.get("none", ()),
            subcodes=data["subcodes"],
        ),
        filters=FilterSerializer.segment_filters(data),
        source=data.get("source"),
        coder=data.get("coder"),
    )
    return retrieval, data


class PassageListApi(ProjectScopedApi):
    """The passages of a code or a code query: ``code`` (all of these on the segment), ``any`` (at least
    one), ``none`` (none of these); ``subcodes`` (default true): a code stands for its sub-codes too."""

    roles = {"GET": MEMBERS}

    @extend_schema(parameters=[RetrievalInputSerializer], responses=dict)
    def get(self, request, project_id):
        retrieval, data = _retrieval(self, request)
        return Response(retrieval_page(retrieval, page=data["page"], page_size=data["page_size"]))


class PassageDownloadApi(ProjectScopedApi):
    """Every passage of a code query, for the write-up: ``export.md`` or ``export.docx`` (quotations with
    a citation each, under their case) or ``export.csv`` (one row per passage)."""

    roles = {"GET": MEMBERS}
    FORMATS = {
        "md": "text/markdown; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }

    @extend_schema(parameters=[RetrievalInputSerializer], responses={200: bytes})
    def get(self, request, project_id, fmt):
        if fmt not in self.FORMATS:
            raise NotFound("Download passages as export.md, export.csv or export.docx.")
        retrieval, _ = _retrieval(self, request)
        response: FileResponse | StreamingHttpResponse
        if fmt == "docx":
            # Written to a temporary file (python-docx saves whole documents), then streamed from it.
            file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
            retrieval_docx(retrieval, file)
            file.seek(0)
            response = FileResponse(file, content_type=self.FORMATS[fmt])
        else:
            lines = retrieval_markdown(retrieval) if fmt == "md" else retrieval_csv(retrieval)
            response = StreamingHttpResponse(lines, content_type=self.FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="passages-project-{project_id}.{fmt}"'
        return response


class MatrixApi(ProjectScopedApi):
    """A matrix of the coding: ``code-case`` (presence and counts, "n of N" per code), ``code-attribute``
    (``attribute``: by its values) or ``cooccurrence`` (``level`` segment or case; counts and Jaccard)."""

    roles = {"GET": MEMBERS}

    class InputSerializer(FilterSerializer):
        attribute_id = serializers.IntegerField(required=False, min_value=1, source="matrix_attribute")
        level = serializers.ChoiceField(choices=["segment", "case"], required=False, default="segment")

    @extend_schema(parameters=[InputSerializer], responses=dict)
    def get(self, request, project_id, kind):
        data = _validated(self.InputSerializer, request)
        common = {
            "membership": self.membership,
            "filters": FilterSerializer.segment_filters(data),
            "source": data.get("source"),
            "coder": data.get("coder"),
        }
        if kind == "code-case":
            return Response(matrix_code_case(**common))
        if kind == "code-attribute":
            return Response(matrix_code_attribute(attribute=data.get("matrix_attribute"), **common))
        if kind == "cooccurrence":
            return Response(matrix_cooccurrence(level=data["level"], **common))
        raise NotFound("The matrices are code-case, code-attribute and cooccurrence.")


class WordFrequencyApi(ProjectScopedApi):
    """The most frequent words of the segments in scope, or of a code query's passages (``code``, ``any``,
    ``none`` as for passages): per code, case (``case``) or attribute value (``attribute``). Stop words of
    ``language`` are left out unless ``stop_words=keep``."""

    roles = {"GET": MEMBERS}

    class InputSerializer(RetrievalInputSerializer):
        language = serializers.CharField(required=False, default="english", max_length=40)
        stop_words = serializers.ChoiceField(
            choices=["leave_out", "keep"], required=False, default="leave_out"
        )
        limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)

    @extend_schema(parameters=[InputSerializer], responses=dict)
    def get(self, request, project_id):
        data = _validated(self.InputSerializer, request)
        if data.get("code") or data.get("any"):
            segments = _retrieval(self, request)[0].segments
        else:
            segments = segment_scope(
                project_id=self.membership.project_id, filters=FilterSerializer.segment_filters(data)
            )
        return Response(
            word_frequencies(
                segments,
                language=data["language"],
                limit=data["limit"],
                keep_stop_words=data["stop_words"] == "keep",
            )
        )
