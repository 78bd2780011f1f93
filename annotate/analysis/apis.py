import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from annotate.core.api.params import query_params
from annotate.core.api.serializers import BackgroundJobOutputSerializer
from annotate.core.spreadsheets import SafeCsvWriter
from annotate.projects.api_base import ProjectScopedApi
from annotate.projects.permissions import ANALYSTS, MEMBERS, OWNERS

from .events import pulse_events, pulse_events_sync
from .models import AgreementRun, SaturationRun, SpanAgreementRun
from .selectors import (
    agreement_summary,
    analysis_pulse,
    analysis_settings_get,
    run_get,
    run_latest_done,
    run_list,
    span_alignment,
)
from .services import (
    SPAN_MEASURES,
    analysis_run_request,
    analysis_settings_update,
)
from .usage import SOURCES as USAGE_SOURCES
from .usage import code_usage


class RunOutputSerializer(BackgroundJobOutputSerializer):
    automatic = serializers.BooleanField()
    params = serializers.JSONField()
    seed = serializers.IntegerField(allow_null=True)
    snapshot = serializers.JSONField(allow_null=True)


class RunDetailOutputSerializer(RunOutputSerializer):
    result = serializers.JSONField(allow_null=True)


class _RunListApi(ProjectScopedApi):
    """Runs of the kind ``model`` says, newest first; POST validates ``InputSerializer`` and requests one."""

    roles = {"GET": ANALYSTS, "POST": ANALYSTS}
    model: type
    kind: str
    InputSerializer: type[serializers.Serializer]

    @extend_schema(responses=RunOutputSerializer(many=True))
    def get(self, request, project_id):
        return self.paginate(run_list(model=self.model, project_id=project_id), RunOutputSerializer)

    def __init_subclass__(cls, **kwargs):
        # Each kind documents its own input: a POST of its own, since extend_schema marks the function
        # it decorates, and one shared function would carry the last kind's input for every kind.
        super().__init_subclass__(**kwargs)

        def post(self, request, project_id):
            return self.run_request(request)

        documented = extend_schema(request=cls.InputSerializer, responses={202: RunOutputSerializer})
        cls.post = documented(post)  # type: ignore[attr-defined]

    def run_request(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = analysis_run_request(
            kind=self.kind, project=self.project, actor=request.user, params=dict(data.validated_data)
        )
        return Response(RunOutputSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class SaturationRunListApi(_RunListApi):
    """Saturation runs of the project; owners and adjudicators request them."""

    class InputSerializer(serializers.Serializer):
        level = serializers.ChoiceField(choices=["code", "theme"], required=False)
        subtree = serializers.IntegerField(required=False, allow_null=True, help_text="a code id")
        coder_mode = serializers.ChoiceField(choices=["union", "coder", "adjudicated"], required=False)
        coder = serializers.IntegerField(required=False, allow_null=True)
        base_size = serializers.IntegerField(required=False, min_value=1)
        run_length = serializers.IntegerField(required=False, min_value=1)
        threshold = serializers.CharField(required=False, max_length=20, help_text='e.g. "0.05" or "1/20"')
        n_orders = serializers.IntegerField(required=False)
        seed = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)
        order_by = serializers.ChoiceField(
            choices=["auto", "sequence", "conducted"],
            required=False,
            help_text="auto (default): the interviews' analysis order numbers; conducted: by interview date",
        )
        planning_prevalence = serializers.FloatField(
            required=False, allow_null=True, help_text="Fugard-Potts: theme prevalence, e.g. 0.1"
        )
        planning_power = serializers.FloatField(
            required=False, allow_null=True, help_text="Fugard-Potts: probability wanted, e.g. 0.8"
        )
        planning_min_occurrences = serializers.IntegerField(required=False, min_value=1, max_value=1000)

    model = SaturationRun
    kind = "saturation"


class _RunDetailApi(ProjectScopedApi):
    """One run with its result; ``model`` says which kind."""

    roles = {"GET": ANALYSTS}
    model: type

    @extend_schema(responses=RunDetailOutputSerializer)
    def get(self, request, project_id, run_id):
        run = run_get(model=self.model, project_id=project_id, run_id=run_id)
        return Response(RunDetailOutputSerializer(run).data)


class _LatestApi(ProjectScopedApi):
    """The latest completed run of the kind ``model`` says, with its result."""

    roles = {"GET": ANALYSTS}
    model: type

    @extend_schema(responses=RunDetailOutputSerializer)
    def get(self, request, project_id):
        return Response(
            RunDetailOutputSerializer(run_latest_done(model=self.model, project_id=project_id)).data
        )


class SaturationRunDetailApi(_RunDetailApi):
    model = SaturationRun


class SaturationLatestApi(_LatestApi):
    model = SaturationRun


def _done_run(project_id: int, run_id: int) -> SaturationRun:
    run = run_get(model=SaturationRun, project_id=project_id, run_id=run_id)
    if run.status != "done":
        raise NotFound(f"Run {run_id} is {run.status}; its results are not available.")
    return run


def _result(run: SaturationRun) -> dict[str, Any]:
    """The result of a run from ``_done_run``: a finished run always has one."""
    assert run.result is not None
    return run.result


class SaturationCodeTableApi(ProjectScopedApi):
    """The code table (first appearance and incidence per code) as CSV."""

    roles = {"GET": ANALYSTS}

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, project_id, run_id):
        run = _done_run(project_id, run_id)
        result = _result(run)
        acc = result["accumulation"]
        interviews = result.get("order_used") or []
        out = io.StringIO()
        writer = SafeCsvWriter(out)
        writer.writerow(
            [
                "code",
                "first_appearance_position",
                "first_appearance_interview",
                "incidence",
                "share_of_interviews",
            ]
        )
        n = max(1, result.get("n_interviews") or 1)
        for code in result["code_labels"]:
            first = acc["first_appearance"].get(code)
            label = interviews[first - 1] if isinstance(first, int) and 0 < first <= len(interviews) else ""
            incidence = acc["incidence"].get(code, 0)
            writer.writerow([code, first, label, incidence, f"{incidence / n:.4f}"])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="saturation-run-{run.id}-codes.csv"'
        return response


FIGURES = {
    "accumulation": "accumulation_figure",
    "run-ratio": "run_ratio_figure",
    "saturation-points": "saturation_point_figure",
}


class SaturationFigureApi(ProjectScopedApi):
    """A figure drawn server-side from the stored result: SVG or PNG, ready for a paper."""

    roles = {"GET": ANALYSTS}

    @extend_schema(
        responses={(200, "image/svg+xml"): OpenApiTypes.BINARY, (200, "image/png"): OpenApiTypes.BINARY}
    )
    def get(self, request, project_id, run_id, figure, fmt):
        # matplotlib takes most of a second to import: only a request for a figure pays for it.
        from workers.figures import saturation as figures

        if figure not in FIGURES or fmt not in ("svg", "png"):
            raise NotFound(f"Figures: {', '.join(FIGURES)}; formats: svg, png.")
        run = _done_run(project_id, run_id)
        rendered = figures.render(getattr(figures, FIGURES[figure])(run.result))
        content_type = "image/svg+xml" if fmt == "svg" else "image/png"
        response = HttpResponse(rendered[fmt], content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="saturation-run-{run.id}-{figure}.{fmt}"'
        return response


class AgreementFigureApi(ProjectScopedApi):
    """Agreement over time and over codebook versions (``drift``), drawn from the run: SVG or PNG."""

    roles = {"GET": ANALYSTS}

    @extend_schema(
        responses={(200, "image/svg+xml"): OpenApiTypes.BINARY, (200, "image/png"): OpenApiTypes.BINARY}
    )
    def get(self, request, project_id, run_id, figure, fmt):
        # matplotlib takes most of a second to import: only a request for a figure pays for it.
        from workers.figures import agreement as figures

        if figure != "drift" or fmt not in ("svg", "png"):
            raise NotFound("Figures: drift; formats: svg, png.")
        run = run_get(model=AgreementRun, project_id=project_id, run_id=run_id)
        if run.status != "done":
            raise NotFound(f"Run {run_id} is {run.status}; its results are not available.")
        rendered = figures.render(figures.drift_figure(run.result))
        content_type = "image/svg+xml" if fmt == "svg" else "image/png"
        response = HttpResponse(rendered[fmt], content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="agreement-run-{run.id}-drift.{fmt}"'
        return response


class AnalysisPulseApi(ProjectScopedApi):
    """A tag that changes when the dashboard's figures may have (``ETag``; send it back in
    ``If-None-Match`` to get 304 while nothing changed). The dashboard follows ``AnalysisEventsApi``; it
    asks this every few seconds only where the event stream cannot be opened."""

    roles = {"GET": ANALYSTS}

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 304: None})
    def get(self, request, project_id):
        tag = f'"{analysis_pulse(project_id=project_id)}"'
        if request.headers.get("If-None-Match") == tag:
            response = Response(status=304)
        else:
            response = Response({"pulse": tag.strip('"')})
        response["ETag"] = tag
        response["Cache-Control"] = "no-cache, private"
        return response


class _EventStreamRenderer(JSONRenderer):
    """Lets ``EventSource`` (``Accept: text/event-stream``) open the stream; the stream itself is a
    ``StreamingHttpResponse``, and an error (401, 403, 404) is still JSON."""

    media_type = "text/event-stream"
    format = "events"


class AnalysisEventsApi(ProjectScopedApi):
    """The dashboard's live updates as server-sent events (``text/event-stream``): an event ``pulse``
    (id and data: the pulse tag) whenever what the dashboard shows may have changed, a comment heartbeat,
    and the end of the stream after a few minutes (``EventSource`` reconnects, sending the last id back in
    ``Last-Event-ID``: nothing is sent again until something changes). See ``events.py``."""

    roles = {"GET": ANALYSTS}
    renderer_classes = [JSONRenderer, _EventStreamRenderer]

    # The schema of one event of the stream (as schemathesis and OpenAPI 3.2's itemSchema read an event
    # stream): the fields of an event as the browser's EventSource parses them.
    EVENT_SCHEMA = {
        "type": "object",
        "properties": {
            "event": {"type": "string", "enum": ["pulse"]},
            "id": {"type": "string"},
            "data": {"type": "string", "description": 'JSON: {"pulse": <the same tag as id>}'},
            "retry": {"type": "integer"},
        },
    }

    @extend_schema(responses={(200, "text/event-stream"): EVENT_SCHEMA})
    def get(self, request, project_id):
        last_seen = request.headers.get("Last-Event-ID") or None
        events: Iterator[str] | AsyncIterator[str]
        if isinstance(request._request, ASGIRequest):
            events = pulse_events(project_id=project_id, last_seen=last_seen)
        else:
            # A single-threaded WSGI worker cannot hold a stream without holding itself (events.py).
            hold = bool(request.META.get("wsgi.multithread"))
            events = pulse_events_sync(project_id=project_id, last_seen=last_seen, hold=hold)
        response = StreamingHttpResponse(events, content_type="text/event-stream; charset=utf-8")
        response["Cache-Control"] = "no-cache, private"
        response["X-Accel-Buffering"] = "no"  # a buffering proxy (nginx) would hold the events back
        return response


class SaturationWordingApi(ProjectScopedApi):
    """The suggested report sentence, filled in from the run's result."""

    roles = {"GET": ANALYSTS}

    class OutputSerializer(serializers.Serializer):
        text = serializers.CharField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request, project_id, run_id):
        return Response({"text": _result(_done_run(project_id, run_id))["suggested_wording"]})


class AgreementRunListApi(_RunListApi):
    """Agreement runs of the project; owners and adjudicators request and read them."""

    class InputSerializer(serializers.Serializer):
        level = serializers.ChoiceField(choices=["code", "theme"], required=False)
        codes = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)
        coders = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)
        documents = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)
        measures = serializers.ListField(
            child=serializers.CharField(max_length=40), required=False, allow_null=True
        )
        n_bootstrap = serializers.IntegerField(required=False, min_value=0, max_value=10_000)
        drift_window_days = serializers.IntegerField(required=False, min_value=1, max_value=366)
        seed = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)

    model = AgreementRun
    kind = "agreement"


class AgreementRunDetailApi(_RunDetailApi):
    model = AgreementRun


class AgreementLatestApi(_LatestApi):
    model = AgreementRun


class AgreementCodeTableApi(ProjectScopedApi):
    """The per-code table as CSV: every measure with its interval, prevalence and counts."""

    roles = {"GET": ANALYSTS}

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, project_id, run_id):
        run = run_get(model=AgreementRun, project_id=project_id, run_id=run_id)
        if run.status != "done":
            raise NotFound(f"Run {run_id} is {run.status}; its results are not available.")
        rows = run.result["per_code"]
        measures = list(rows[0]["measures"]) if rows else []
        out = io.StringIO()
        writer = SafeCsvWriter(out)
        header = ["code", "n_applied", "prevalence", "pairable_units", "coders"]
        for m in measures:
            header += [m, f"{m}_ci_low", f"{m}_ci_high", f"{m}_undefined_reason"]
        header += ["prevalence_index", "bias_index", "pabak"]
        writer.writerow(header)
        for row in rows:
            counts = row.get("counts", {})
            line = [
                row["code"],
                row["n_applied"],
                row["prevalence"],
                counts.get("n_pairable_units"),
                counts.get("n_coders"),
            ]
            for m in measures:
                coef = row["measures"][m]
                ci = coef.get("ci") or {}
                line += [coef["value"], ci.get("low"), ci.get("high"), coef.get("reason") or ""]
            diagnostics = row.get("diagnostics") or {}
            line += [
                diagnostics.get("prevalence_index"),
                diagnostics.get("bias_index"),
                diagnostics.get("pabak"),
            ]
            writer.writerow(["" if v is None else v for v in line])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="agreement-run-{run.id}-codes.csv"'
        return response


class AnalysisSettingsApi(ProjectScopedApi):
    """Who sees analysis results. Owners change it; owners and adjudicators read it."""

    roles = {"GET": ANALYSTS, "PATCH": OWNERS}

    class InputSerializer(serializers.Serializer):
        coders_see_agreement = serializers.BooleanField()

    class OutputSerializer(serializers.Serializer):
        coders_see_agreement = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request, project_id):
        return Response(self.OutputSerializer(analysis_settings_get(project_id=project_id)).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def patch(self, request, project_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = analysis_settings_update(project=self.project, actor=request.user, **data.validated_data)
        return Response(self.OutputSerializer(current).data)


class AgreementSummaryApi(ProjectScopedApi):
    """The latest agreement, as every member may see it when the PI shares it: overall and per-code
    coefficients only. Owners and adjudicators always may (and have the full runs)."""

    roles = {"GET": MEMBERS}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id):
        shared = analysis_settings_get(project_id=project_id).coders_see_agreement
        if self.membership.role not in ANALYSTS and not shared:
            raise PermissionDenied("The PI has not shared agreement figures with coders in this project.")
        run = run_latest_done(model=AgreementRun, project_id=project_id)
        return Response({"run": run.id, "finished_at": run.finished_at, **agreement_summary(run.result)})


class CodeUsageApi(ProjectScopedApi):
    """How often each code is used: codings, coded segments, transcripts and cases per code, a theme's also
    over its sub-codes. ``source``: ``mine`` (the caller's own codings; a coder's default), ``coders``
    (every coder's: owners' and adjudicators' default; coders only once codings are released) or
    ``final`` (the adjudicated coding; a viewer's default)."""

    roles = {"GET": MEMBERS}

    class FilterSerializer(serializers.Serializer):
        # A declared field shadows Field.source (the attribute path) in the stubs only.
        source = serializers.ChoiceField(choices=USAGE_SOURCES, required=False)  # type: ignore[assignment]

    @extend_schema(parameters=[FilterSerializer], responses=dict)
    def get(self, request, project_id):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return Response(code_usage(membership=self.membership, source=filters.validated_data.get("source")))


class SpanAgreementRunListApi(_RunListApi):
    """Agreement runs on character spans (unitizing alphas, Mathet's gamma); owners and adjudicators
    request and read them, as they do the segment agreement runs (coders code blind)."""

    class InputSerializer(serializers.Serializer):
        codes = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)
        coders = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)
        documents = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)
        measures = serializers.ListField(
            child=serializers.ChoiceField(choices=SPAN_MEASURES), required=False, allow_null=True
        )
        n_bootstrap = serializers.IntegerField(required=False, min_value=0, max_value=10_000)
        seed = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)

    model = SpanAgreementRun
    kind = "span_agreement"


class SpanAgreementRunDetailApi(_RunDetailApi):
    model = SpanAgreementRun


class SpanAgreementLatestApi(_LatestApi):
    model = SpanAgreementRun


class SpanAlignmentApi(ProjectScopedApi):
    """Two (or more) coders' spans on one document, with its text: the alignment view. Every coder's
    codings, so only for owners and adjudicators."""

    roles = {"GET": ANALYSTS}

    class FilterSerializer(serializers.Serializer):
        document = serializers.IntegerField()
        coders = serializers.CharField(help_text="comma-separated user ids, e.g. 4,7")

        def validate_coders(self, value: str) -> list[int]:
            try:
                ids = [int(v) for v in value.split(",") if v.strip()]
            except ValueError:
                raise serializers.ValidationError("Give coder ids separated by commas, e.g. 4,7.") from None
            if not 1 <= len(set(ids)) <= 10:
                raise serializers.ValidationError("Give one to ten coder ids, e.g. 4,7.")
            return list(dict.fromkeys(ids))

    @extend_schema(parameters=[FilterSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request, project_id):
        filters = self.FilterSerializer(data=query_params(request))
        filters.is_valid(raise_exception=True)
        return Response(
            span_alignment(
                project_id=project_id,
                document_id=filters.validated_data["document"],
                coder_ids=filters.validated_data["coders"],
            )
        )
