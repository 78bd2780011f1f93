import secrets

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from annotate.core.api.params import query_params
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.models import Role
from annotate.projects.permissions import ANALYSTS, CODERS, OWNERS

from .models import AssignmentStatus, UnitType
from .selectors import (
    assignment_list,
    plan_coders,
    plan_get,
    progress_get,
)
from .services import (
    assignment_plan_apply,
    assignment_plan_extend,
    assignment_plan_preview,
)


class PlanInputSerializer(serializers.Serializer):
    class CoderSerializer(serializers.Serializer):
        user = serializers.IntegerField()
        weight = serializers.FloatField(default=1.0, min_value=0.001, max_value=1000)

    unit_type = serializers.ChoiceField(choices=UnitType.choices)
    # many=True makes a ListSerializer, which takes max_length; the stubs type the child's __init__.
    coders = CoderSerializer(many=True, allow_empty=False, max_length=1000)  # type: ignore[call-arg]
    overlap = serializers.IntegerField(min_value=1, max_value=50, default=1)
    sample_fraction = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=0.0001, max_value=1
    )
    stratify_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**62)

    def validate(self, attrs):
        # Without a seed, draw one; it is returned (and stored on apply) so the plan can be reproduced.
        attrs.setdefault("seed", secrets.randbelow(2**31))
        return attrs


class PlanOutputSerializer(serializers.Serializer):
    class PlanCoderSerializer(serializers.Serializer):
        user = serializers.IntegerField(source="user_id")
        username = serializers.CharField(source="user.username")
        weight = serializers.FloatField()
        quota = serializers.IntegerField()
        active = serializers.BooleanField()

    id = serializers.IntegerField()
    unit_type = serializers.CharField()
    overlap = serializers.IntegerField()
    sample_fraction = serializers.FloatField(allow_null=True)
    stratify_by = serializers.CharField()
    seed = serializers.IntegerField()
    revision = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    coders = serializers.SerializerMethodField()

    @extend_schema_field(PlanCoderSerializer(many=True))
    def get_coders(self, plan) -> list:
        # many=True makes a ListSerializer, whose data is a list; the stubs type the child's (a dict).
        return self.PlanCoderSerializer(plan_coders(plan=plan), many=True).data  # type: ignore[return-value]


class AssignmentPlanApi(ProjectScopedApi):
    """The project's assignment plan. Owners and adjudicators may read it (it names the reliability
    sample, so coders may not); owners apply it with PUT. Once applied, a PUT may change only the coders and
    their weights: a re-plan that moves unstarted work only (done and started work never move)."""

    roles = {"GET": ANALYSTS, "PUT": OWNERS}

    @extend_schema(responses=PlanOutputSerializer)
    def get(self, request, project_id):
        return Response(PlanOutputSerializer(plan_get(project_id=project_id)).data)

    @extend_schema(request=PlanInputSerializer, responses=PlanOutputSerializer)
    def put(self, request, project_id):
        data = PlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = assignment_plan_apply(project=self.project, actor=request.user, data=data.validated_data)
        plan.refresh_from_db()
        return Response(PlanOutputSerializer(plan).data)


class AssignmentPlanExtendApi(ProjectScopedApi):
    """Bring every codable segment that no unit covers yet into the applied plan (a transcript joins the
    plan by itself when it is imported; this catches one imported while the plan was being applied). The
    extension's summary, or ``{"extension": null}`` when there was nothing to add."""

    roles = {"POST": OWNERS}

    @extend_schema(request=None, responses=dict)
    def post(self, request, project_id):
        plan_get(project_id=project_id)  # 404 with a message when there is no plan
        with transaction.atomic():
            summary = assignment_plan_extend(project_id=project_id, actor=request.user)
        return Response({"extension": summary})


class AssignmentPlanPreviewApi(ProjectScopedApi):
    """What a plan (or a re-plan) would do: counts per coder and per stratum, the double-coded share.
    Writes nothing."""

    roles = {"POST": OWNERS}

    @extend_schema(request=PlanInputSerializer, responses=dict)
    def post(self, request, project_id):
        data = PlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        summary = assignment_plan_preview(project=self.project, data=data.validated_data)
        return Response({"seed": data.validated_data["seed"], **summary})


class AssignmentOutputSerializer(serializers.Serializer):
    segment = serializers.IntegerField(source="segment_id")
    document = serializers.IntegerField(source="unit.document_id")
    document_title = serializers.CharField(source="unit.document.title")
    order = serializers.IntegerField()
    status = serializers.CharField()
    claimed_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)


class AssignmentListApi(ProjectScopedApi):
    """The caller's own assignments in queue order (owners and adjudicators may ask for a coder's)."""

    roles = {"GET": CODERS}

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=AssignmentStatus.choices, required=False)
        coder = serializers.IntegerField(required=False)

    @extend_schema(parameters=[FilterSerializer], responses=AssignmentOutputSerializer(many=True))
    def get(self, request, project_id):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        coder_id = request.user.pk
        if filters.validated_data.get("coder") is not None:
            if self.membership.role not in (Role.OWNER, Role.ADJUDICATOR):
                coder_id = -1 if filters.validated_data["coder"] != request.user.pk else coder_id
            else:
                coder_id = filters.validated_data["coder"]
        qs = assignment_list(
            project_id=project_id, coder_id=coder_id, status=filters.validated_data.get("status")
        )
        return self.paginate(qs, AssignmentOutputSerializer)


class ProgressApi(ProjectScopedApi):
    """Progress per coder and per document. Owners and adjudicators see everyone's, with the state of the
    double-coded units; a coder sees their own only; viewers none."""

    roles = {"GET": CODERS}

    @extend_schema(responses=dict)
    def get(self, request, project_id):
        return Response(progress_get(project_id=project_id, membership=self.membership))
