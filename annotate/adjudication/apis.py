"""The adjudication API: the queue, one unit side by side, decisions (single and bulk), the final coding,
coders' agreement with it, and the project's adjudication settings. Thin: validate, call, serialize."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from annotate.core.api.params import query_params
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.models import Role
from annotate.projects.permissions import ANALYSTS, CODERS, MEMBERS, OWNERS

from .selectors import (
    KINDS,
    adjudication_queue,
    adjudication_settings_get,
    coder_agreement_with_final,
    final_codings_visible,
    queue_item_details,
    unit_adjudication_view,
)
from .services import (
    BULK_KINDS,
    FinalSpec,
    adjudication_settings_update,
    decision_bulk_apply,
    decision_bulk_preview,
    decision_decide,
)


class AdjudicationQueueApi(ProjectScopedApi):
    """Ready units (all planned coders done) of one kind: disagreements (default), ``?kind=unanimous`` or
    ``?kind=single_coded``; undecided ones unless ``?status=decided|all``. Filters: ``document``, ``code``
    (disagreements: units where the coders differ on it), ``coders=<id>,<id>`` (a coder pair)."""

    roles = {"GET": ANALYSTS}

    class FilterSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=KINDS, default=KINDS[0])
        status = serializers.ChoiceField(choices=["open", "decided", "all"], default="open")
        document = serializers.IntegerField(required=False, min_value=1)
        code = serializers.IntegerField(required=False, min_value=1)
        coders = serializers.RegexField(r"^\d+,\d+$", required=False)

    class OutputSerializer(serializers.Serializer):
        unit_id = serializers.IntegerField()
        segment_id = serializers.IntegerField()
        document_id = serializers.IntegerField()
        order = serializers.IntegerField()
        planned_coders = serializers.IntegerField()
        kind = serializers.CharField()
        codes = serializers.SerializerMethodField()
        disputed_codes = serializers.SerializerMethodField()
        current_decision_id = serializers.IntegerField(allow_null=True)
        where = serializers.SerializerMethodField(
            help_text="document_title, case, segment_number (¶, as the reader numbers it), speaker, excerpt"
        )

        def get_codes(self, unit) -> list[int]:
            return sorted(unit.codes_involved)

        def get_disputed_codes(self, unit) -> list[int]:
            return sorted(unit.disputed_codes)

        @extend_schema_field(OpenApiTypes.OBJECT)
        def get_where(self, unit) -> dict:
            return self.context["details"].get(unit.segment_id, {})

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request, project_id):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        pair: tuple[int, int] | None = None
        if data.get("coders"):
            first, second = (int(i) for i in data["coders"].split(","))  # the field's pattern: two ids
            pair = (first, second)
        units = adjudication_queue(
            project_id=project_id,
            kind=data["kind"],
            status=data["status"],
            document_id=data.get("document"),
            code_id=data.get("code"),
            coder_pair=pair,
        )
        return self.paginate(
            units,
            self.OutputSerializer,
            context=lambda page: {
                "details": queue_item_details(project_id=project_id, segment_ids=[u.segment_id for u in page])
            },
        )


class AdjudicationUnitApi(ProjectScopedApi):
    """One unit for the adjudicator: the coders' versions side by side, the codebook entries involved,
    the memos on the segment, and the decisions so far."""

    roles = {"GET": ANALYSTS}

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, project_id, segment_id):
        return Response(unit_adjudication_view(project_id=project_id, segment_id=segment_id))


class FinalCodingOutputSerializer(serializers.Serializer):
    code_id = serializers.IntegerField()
    span_start = serializers.IntegerField(allow_null=True)
    span_end = serializers.IntegerField(allow_null=True)


class DecisionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    segment_id = serializers.IntegerField()
    provenance = serializers.CharField()
    method = serializers.CharField()
    adjudicator_id = serializers.IntegerField(allow_null=True)
    rationale = serializers.CharField()
    supersedes_id = serializers.IntegerField(allow_null=True)
    is_current = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    agreed_with_count = serializers.SerializerMethodField()
    codings = serializers.SerializerMethodField()

    def get_agreed_with_count(self, decision) -> int:
        return len(decision.agreed_with)

    @extend_schema_field(FinalCodingOutputSerializer(many=True))
    def get_codings(self, decision):
        codings = decision.final_codings.order_by("code_id", "span_start", "span_end")
        return FinalCodingOutputSerializer(codings, many=True).data


class AdjudicationDecideApi(ProjectScopedApi):
    """Decide a unit: accept one coder's version (``coder``: "A", as the unit view names them), the union
    or the intersection of the coders' sets, or a set written here (``custom`` with ``codings``). To
    revise the unit's current decision, send its id as ``supersedes``."""

    roles = {"POST": ANALYSTS}

    class InputSerializer(serializers.Serializer):
        class CodingSerializer(serializers.Serializer):
            code = serializers.IntegerField(min_value=1)
            span_start = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
            span_end = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)

            def validate(self, attrs):
                if (attrs["span_start"] is None) != (attrs["span_end"] is None):
                    raise serializers.ValidationError("Give both span_start and span_end, or neither.")
                return attrs

        method = serializers.ChoiceField(choices=["accept_coder", "union", "intersection", "custom"])
        coder = serializers.CharField(required=False, allow_blank=True, max_length=20)
        # many=True makes a ListSerializer, which takes max_length; the stubs type the child's __init__.
        codings = CodingSerializer(many=True, required=False, max_length=500)  # type: ignore[call-arg]
        rationale = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
        supersedes = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)

    @extend_schema(request=InputSerializer, responses=DecisionOutputSerializer)
    def post(self, request, project_id, segment_id):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        codings = None
        if "codings" in data:
            codings = [
                FinalSpec(c["code"], None if c["span_start"] is None else (c["span_start"], c["span_end"]))
                for c in data["codings"]
            ]
        decision = decision_decide(
            project_id=project_id,
            actor=request.user,
            segment_id=segment_id,
            method=data["method"],
            coder=data.get("coder"),
            codings=codings,
            rationale=data["rationale"],
            supersedes=data["supersedes"],
        )
        return Response(DecisionOutputSerializer(decision).data, status=status.HTTP_201_CREATED)


class BulkInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BULK_KINDS)
    m = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=1000)


class BulkOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    m = serializers.IntegerField(allow_null=True)
    units = serializers.IntegerField(help_text="Units the action decides (one decision each).")
    final_codings = serializers.IntegerField()
    skipped = serializers.DictField(child=serializers.IntegerField(), help_text="Units left out, by reason.")


class AdjudicationBulkPreviewApi(ProjectScopedApi):
    """What a bulk action would decide (counts), writing nothing."""

    roles = {"POST": ANALYSTS}

    @extend_schema(request=BulkInputSerializer, responses=BulkOutputSerializer)
    def post(self, request, project_id):
        body = BulkInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(
            decision_bulk_preview(project_id=project_id, actor=request.user, **body.validated_data)
        )


class AdjudicationBulkApplyApi(ProjectScopedApi):
    """Accept every unanimous unit, the majority set (held by at least m coders) of disagreeing units, or
    the single-coded units as they are: one decision (and one audit event) per unit, all or nothing."""

    roles = {"POST": ANALYSTS}

    @extend_schema(request=BulkInputSerializer, responses={201: BulkOutputSerializer})
    def post(self, request, project_id):
        body = BulkInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = decision_bulk_apply(project_id=project_id, actor=request.user, **body.validated_data)
        return Response(result, status=status.HTTP_201_CREATED)


class FinalCodingListApi(ProjectScopedApi):
    """The adjudicated coding (current decisions), ``?document=`` to narrow it: owners, adjudicators and
    viewers see all of it; a coder sees the units they were assigned (all of it once released)."""

    roles = {"GET": MEMBERS}

    class FilterSerializer(serializers.Serializer):
        document = serializers.IntegerField(required=False, min_value=1)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        segment_id = serializers.IntegerField()
        code_id = serializers.IntegerField()
        code_name = serializers.CharField(source="code.name")
        span_start = serializers.IntegerField(allow_null=True)
        span_end = serializers.IntegerField(allow_null=True)
        decision_id = serializers.IntegerField()
        provenance = serializers.CharField(source="decision.provenance")
        adjudicator = serializers.CharField(
            source="decision.adjudicator.username", default=None, allow_null=True
        )
        rationale = serializers.CharField(source="decision.rationale")
        decided_at = serializers.DateTimeField(source="decision.created_at")

    @extend_schema(parameters=[FilterSerializer], responses=OutputSerializer(many=True))
    def get(self, request, project_id):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        qs = final_codings_visible(
            membership=self.membership, document_id=filters.validated_data.get("document")
        )
        return self.paginate(qs, self.OutputSerializer)


class CoderAgreementApi(ProjectScopedApi):
    """Each coder against the final coding, per code (percent agreement, Cohen's kappa): a training
    signal. Owners and adjudicators see every coder; a coder sees only their own row."""

    roles = {"GET": CODERS}

    class OutputSerializer(serializers.Serializer):
        class CodeRowSerializer(serializers.Serializer):
            code_id = serializers.IntegerField()
            code_name = serializers.CharField()
            n_units = serializers.IntegerField()
            coder_applied = serializers.IntegerField()
            final_applied = serializers.IntegerField()
            percent_agreement = serializers.FloatField(allow_null=True)
            percent_agreement_reason = serializers.CharField(allow_null=True)
            cohen_kappa = serializers.FloatField(allow_null=True)
            cohen_kappa_reason = serializers.CharField(allow_null=True)

        coder_id = serializers.IntegerField()
        username = serializers.CharField()
        n_units = serializers.IntegerField()
        exact_set_agreement = serializers.FloatField()
        codes = CodeRowSerializer(many=True)

    @extend_schema(
        responses=inline_serializer("CoderAgreementResults", {"results": OutputSerializer(many=True)})
    )
    def get(self, request, project_id):
        membership = self.membership
        coder_id = request.user.pk if membership.role == Role.CODER else None
        return Response({"results": coder_agreement_with_final(project_id=project_id, coder_id=coder_id)})


class AdjudicationSettingsApi(ProjectScopedApi):
    """The project's adjudication options (owners)."""

    roles = {"GET": OWNERS, "PATCH": OWNERS}

    class InputSerializer(serializers.Serializer):
        hide_coder_names = serializers.BooleanField(required=False)
        adjudicator_may_adjudicate_own_units = serializers.BooleanField(required=False)

    class OutputSerializer(serializers.Serializer):
        hide_coder_names = serializers.BooleanField()
        adjudicator_may_adjudicate_own_units = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request, project_id):
        return Response(self.OutputSerializer(adjudication_settings_get(project_id=project_id)).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request, project_id):
        body = self.InputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        settings = adjudication_settings_update(
            project_id=project_id, actor=request.user, data=body.validated_data
        )
        return Response(self.OutputSerializer(settings).data)
