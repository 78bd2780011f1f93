from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from annotate.codebook.selectors import code_get
from annotate.documents.selectors import segment_get
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import CODERS, MEMBERS

from .offsets import CODEPOINT, OFFSET_UNITS, UTF16, codepoint_to_utf16, utf16_to_codepoint
from .selectors import coding_get_visible, coding_list_visible, coding_set_get
from .services import CodingSpec, coding_create, coding_delete, coding_set_replace

_MAX_SET_ITEMS = 500  # codings in one PUT of a set


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
        filters = self.FilterSerializer(data=request.query_params)
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


class SetCodingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.IntegerField(source="code_id")
    code_name = serializers.CharField(source="code.name")
    # A code deactivated after it was applied stays applied, and says so.
    code_active = serializers.BooleanField(source="code.is_active")
    codebook_version = serializers.IntegerField(source="codebook_version_id")
    span_start = serializers.IntegerField(allow_null=True)
    span_end = serializers.IntegerField(allow_null=True)


def set_coding_output(coding) -> dict:
    """``SetCodingOutputSerializer``'s fields, built directly: every request of the coding loop returns
    a coder's set, and a serializer per request costs more than the rest of the view (the serializer
    stays as the documented schema; a test checks that the two agree)."""
    return {
        "id": coding.pk,
        "code": coding.code_id,
        "code_name": coding.code.name,
        "code_active": coding.code.is_active,
        "codebook_version": coding.codebook_version_id,
        "span_start": coding.span_start,
        "span_end": coding.span_end,
    }


class SegmentCodingSetApi(ProjectScopedApi):
    """The caller's own codes on one segment, as a set with a version.

    ``PUT`` replaces the whole set: send every code (segment-level, or with a span) and the ``version``
    you last saw. A stale version gets 409 with the current one; sending the set as it already stands is a
    no-op (200, ``changed: false``). Spans are half-open offsets into the document, in the unit named by
    ``offset_unit`` (``codepoint`` or ``utf16``, as a browser measures); responses use the unit asked for
    (``?offset_unit=`` on GET, the request's on PUT) and say which.
    """

    roles = {"GET": CODERS, "PUT": CODERS}

    class QuerySerializer(serializers.Serializer):
        offset_unit = serializers.ChoiceField(choices=OFFSET_UNITS, default=CODEPOINT)

    class CodingInputSerializer(serializers.Serializer):
        code = serializers.IntegerField()
        span_start = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
        span_end = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)

        def validate(self, attrs):
            if (attrs["span_start"] is None) != (attrs["span_end"] is None):
                raise serializers.ValidationError("Give both span_start and span_end, or neither.")
            return attrs

    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=0)
        offset_unit = serializers.ChoiceField(choices=OFFSET_UNITS, required=False)
        codings = serializers.ListField(
            child=serializers.DictField(), max_length=_MAX_SET_ITEMS, allow_empty=True
        )

    class OutputSerializer(serializers.Serializer):
        segment = serializers.IntegerField()
        version = serializers.IntegerField()
        changed = serializers.BooleanField(required=False)
        offset_unit = serializers.CharField()
        codings = SetCodingOutputSerializer(many=True)

    def _output(self, segment, codings, version, unit, changed=None):
        rows = [set_coding_output(coding) for coding in codings]
        if unit == UTF16:
            text = segment.document.text
            for row in rows:
                if row["span_start"] is not None:
                    row["span_start"] = codepoint_to_utf16(text, row["span_start"])
                    row["span_end"] = codepoint_to_utf16(text, row["span_end"])
        body = {"segment": segment.pk, "version": version, "offset_unit": unit, "codings": rows}
        if changed is not None:
            body["changed"] = changed
        return body

    @extend_schema(parameters=[QuerySerializer], responses=OutputSerializer)
    def get(self, request, project_id, segment_id):
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        segment = segment_get(project_id=project_id, segment_id=segment_id)
        codings, version = coding_set_get(coder_id=request.user.pk, segment_id=segment.pk)
        return Response(self._output(segment, codings, version, query.validated_data["offset_unit"]))

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, 409: None})
    def put(self, request, project_id, segment_id):
        plain = _plain_set_request(request.data)
        if plain is not None:
            version, unit, items = plain
        else:  # anything unusual: the serializers validate it, and word the error
            data = self.InputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            coding_items = self.CodingInputSerializer(data=data.validated_data["codings"], many=True)
            coding_items.is_valid(raise_exception=True)
            version, unit, items = (
                data.validated_data["version"],
                data.validated_data.get("offset_unit"),
                coding_items.validated_data,
            )
        has_spans = any(item["span_start"] is not None for item in items)
        if unit is None:
            if has_spans:
                raise serializers.ValidationError(
                    {"offset_unit": "Name the unit of your span offsets: 'codepoint' or 'utf16'."}
                )
            unit = CODEPOINT
        # UTF-16 offsets need the transcript's text to convert; otherwise the service reads the segment
        # with the rest of its reads, in one round trip.
        segment = segment_get(project_id=project_id, segment_id=segment_id) if unit == UTF16 else segment_id
        specs = []
        for item in items:
            span = None
            if item["span_start"] is not None:
                span = (item["span_start"], item["span_end"])
                if unit == UTF16:
                    text = segment.document.text
                    span = (utf16_to_codepoint(text, span[0]), utf16_to_codepoint(text, span[1]))
            specs.append(CodingSpec(code_id=item["code"], span=span))
        result = coding_set_replace(
            project_id=project_id,
            coder=request.user,
            segment=segment,
            codings=specs,
            version=version,
            role=self.membership.role,
        )
        codings = list(result.codings)
        _attach_codes(codings)
        return Response(self._output(result.segment, codings, result.version, unit, changed=result.changed))


_SET_KEYS = frozenset({"version", "offset_unit", "codings"})
_CODING_KEYS = frozenset({"code", "span_start", "span_end"})


def _plain_set_request(data) -> tuple[int, str | None, list[dict]] | None:
    """A coding-set ``PUT`` body of the usual shape, read directly: ``(version, offset_unit or None,
    items)`` as the serializers would validate it, or None for anything else (then the serializers
    validate it and word the error). Every step of the coding loop sends one; the serializers cost more
    than the rest of the view. Only what the serializers accept unchanged passes here: plain ints (not
    strings or booleans), known keys, spans given whole, within the same limits."""
    if type(data) is not dict or not data.keys() <= _SET_KEYS:
        return None
    version, codings = data.get("version"), data.get("codings")
    if type(version) is not int or version < 0 or type(codings) is not list or len(codings) > _MAX_SET_ITEMS:
        return None
    if "offset_unit" in data and data["offset_unit"] not in OFFSET_UNITS:
        return None
    items = []
    for item in codings:
        if type(item) is not dict or not item.keys() <= _CODING_KEYS or type(item.get("code")) is not int:
            return None
        start, end = item.get("span_start"), item.get("span_end")
        if (start is None) != (end is None):
            return None
        if start is not None and not (type(start) is int and type(end) is int and start >= 0 and end >= 1):
            return None
        items.append({"code": item["code"], "span_start": start, "span_end": end})
    return version, data.get("offset_unit"), items


def _attach_codes(codings) -> None:
    """Load the codes of newly created codings in one query (the kept ones already have theirs)."""
    from annotate.codebook.models import Code

    missing = {c.code_id for c in codings if "code" not in c._state.fields_cache}
    if missing:
        codes = Code.objects.in_bulk(missing)
        for coding in codings:
            if "code" not in coding._state.fields_cache:
                coding.code = codes[coding.code_id]
