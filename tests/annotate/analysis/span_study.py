"""A small study in which two coders mark character spans, and the span engine run on it directly.

``SPANS`` gives, per document and segment, each coder's spans as (code name, start, end) relative to the
segment; the expected report is built from these tuples here, independently of the selector."""

from annotate.assignments.services import assignment_plan_apply
from annotate.coding.services import coding_create
from annotate.coding_loop.done import assignment_done
from annotate.projects.models import Role
from tests.factories import UserFactory, make_case, make_code, make_document
from workers.stats.spans import span_agreement_report, span_data

CODES = ["Harm reduction", "Diversion"]
TEXTS = [
    [
        "P01: We talked about needle exchange and about the police.",
        "P01: The court sent me to treatment instead of jail.",
    ],
    ["P02: Nobody asked what we needed, they just closed the site."],
]
# document -> segment -> coder -> spans (code, start, end) inside the segment
SPANS = [
    [
        [[("Harm reduction", 20, 36)], [("Harm reduction", 18, 36), ("Diversion", 51, 57)]],
        [[("Diversion", 5, 49)], [("Diversion", 10, 49)]],
    ],
    [[[("Harm reduction", 40, 58)], []]],
]


def build_span_study(project, owner, coders):
    """Codes, documents, a plan giving every document to every coder, the spans and the done marks."""
    theme = make_code(project, owner, name="Policy")
    codes = {name: make_code(project, owner, name=name, parent=theme) for name in CODES}
    documents = []
    for i, turns in enumerate(TEXTS):
        case = make_case(project, owner, f"S{i + 1:02d}")
        documents.append(
            make_document(project, owner, case=case, text="\n\n".join(turns), title=f"Spans {i + 1}")
        )
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={"unit_type": "document", "coders": [{"user": c.pk} for c in coders], "overlap": len(coders)},
    )
    for document, turns in zip(documents, SPANS, strict=True):
        segments = list(document.segments.order_by("position"))
        for segment, row in zip(segments, turns, strict=True):
            for coder, spans in zip(coders, row, strict=True):
                for name, start, end in spans:
                    at = segment.start_offset
                    coding_create(
                        project_id=project.id, coder=coder, segment=segment, code=codes[name],
                        span=(at + start, at + end),
                    )  # fmt: skip
                assignment_done(project_id=project.id, user=coder, segment_id=segment.id)
    return documents, codes


def two_coders(project):
    coders = [UserFactory(username="ana"), UserFactory(username="ben")]
    for coder in coders:
        project.add_member(coder, Role.CODER)
    return coders


def expected_report(documents, coders, *, seed: int, n_resamples: int):
    """The engine on the spans above: codes in path order ("Policy", "Policy > Diversion", ...), coders
    by id, documents in analysis order; every code's domain is the theme."""
    labels = sorted(["Policy", *(f"Policy > {c}" for c in CODES)])
    index = {label: i for i, label in enumerate(labels)}
    order = sorted(range(len(coders)), key=lambda c: coders[c].pk)
    rows = []
    for d, (document, turns) in enumerate(zip(documents, SPANS, strict=True)):
        segments = list(document.segments.order_by("position"))
        for segment, row in zip(segments, turns, strict=True):
            for c, spans in enumerate(row):
                for name, start, end in spans:
                    at = segment.start_offset
                    rows.append((d, order.index(c), index[f"Policy > {name}"], at + start, at + end))
    data = span_data([len(doc.text) for doc in documents], rows, n_coders=len(coders), n_codes=len(labels))
    return labels, span_agreement_report(data, parents=[0] * len(labels), n_resamples=n_resamples, seed=seed)
