"""The coding loop's endpoints. Thin, and on the hot path: each view builds its JSON directly (the
serializers stay as the documented schema; a test checks that both agree)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from annotate.assignments.selectors import assignment_held_get
from annotate.codebook.models import Code
from annotate.coding.offsets import CODEPOINT, OFFSET_UNITS, UTF16, codepoint_to_utf16, utf16_to_codepoint
from annotate.coding.rules import MAX_CODINGS_PER_SET, CodingSpec
from annotate.coding.selectors import coding_set_get
from annotate.core.api.params import query_params
from annotate.documents.selectors import segment_get
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import CODERS

from .codings import coding_set_replace
from .done import assignment_done, assignment_reopen
from .queue import next_unit
from .unit import queue_counts, unit_context

_MAX_SET_ITEMS = MAX_CODINGS_PER_SET  # codings in one PUT of a set


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
        query = self.QuerySerializer(data=query_params(request))
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

    missing = {c.code_id for c in codings if "code" not in c._state.fields_cache}
    if missing:
        codes = Code.objects.in_bulk(missing)
        for coding in codings:
            if "code" not in coding._state.fields_cache:
                coding.code = codes[coding.code_id]


class UnitOutputSerializer(serializers.Serializer):
    """A unit as its coder sees it. Nothing here says how many coders it has."""

    class CodingsSerializer(serializers.Serializer):
        version = serializers.IntegerField()
        offset_unit = serializers.CharField()
        items = SetCodingOutputSerializer(many=True)

    segment = serializers.DictField()
    assignment = serializers.DictField()
    neighbours = serializers.ListField(child=serializers.DictField())
    document = serializers.DictField()
    codebook_version = serializers.DictField(allow_null=True)
    codings = CodingsSerializer()


def unit_output(context: dict) -> dict:
    """``UnitOutputSerializer``'s fields of a ``unit_context``, built directly (the loop's every "next";
    see ``set_coding_output``)."""
    codings = context["codings"]
    return {
        "segment": context["segment"],
        "assignment": context["assignment"],
        "neighbours": context["neighbours"],
        "document": context["document"],
        "codebook_version": context["codebook_version"],
        "codings": {
            "version": codings["version"],
            "offset_unit": codings["offset_unit"],
            "items": [set_coding_output(coding) for coding in codings["items"]],
        },
    }


class QueueNextApi(ProjectScopedApi):
    """The caller's next unit: in a document plan, the first unfinished segment they hold (transcripts in
    order); in a pool plan, the unit they hold or else a newly claimed one. ``unit`` is null when there is
    nothing left for them."""

    roles = {"GET": CODERS}

    @extend_schema(responses=dict)
    def get(self, request, project_id):
        user = request.user
        _, context = next_unit(project_id=project_id, user=user)
        if context is None:  # no unit
            return Response({"unit": None, "progress": queue_counts(project_id=project_id, user=user)})
        return Response({"unit": unit_output(context), "progress": context["progress"]})


class AssignmentDetailApi(ProjectScopedApi):
    """Jump to a unit the caller holds: the same view of it as ``queue/next`` gives."""

    roles = {"GET": CODERS}

    @extend_schema(responses=UnitOutputSerializer)
    def get(self, request, project_id, segment_id):
        assignment = assignment_held_get(project_id=project_id, user=request.user, segment_id=segment_id)
        return Response(unit_output(unit_context(assignment=assignment, user=request.user)))


class AssignmentStateOutputSerializer(serializers.Serializer):
    segment = serializers.IntegerField(source="segment_id")
    status = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)


def assignment_state_output(assignment) -> dict:
    """``AssignmentStateOutputSerializer``'s fields, built directly (the loop's every "done")."""
    return {"segment": assignment.segment_id, "status": assignment.status, "done_at": assignment.done_at}


class AssignmentDoneApi(ProjectScopedApi):
    roles = {"POST": CODERS}

    @extend_schema(request=None, responses=AssignmentStateOutputSerializer)
    def post(self, request, project_id, segment_id):
        assignment = assignment_done(project_id=project_id, user=request.user, segment_id=segment_id)
        return Response(assignment_state_output(assignment), status=status.HTTP_200_OK)


class AssignmentReopenApi(ProjectScopedApi):
    roles = {"POST": CODERS}

    @extend_schema(request=None, responses=AssignmentStateOutputSerializer)
    def post(self, request, project_id, segment_id):
        assignment = assignment_reopen(project_id=project_id, user=request.user, segment_id=segment_id)
        return Response(assignment_state_output(assignment), status=status.HTTP_200_OK)
