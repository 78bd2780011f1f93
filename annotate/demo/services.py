"""The demo study: a synthetic replica of the kind of study Intercoder serves (see data/README.md).

Everything goes through the same services a user's actions do, so the demo's audit trail is as complete
as a real project's. Loading is one transaction: it either loads completely or not at all, and loading
twice changes nothing.
"""

import csv
import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from annotate.analysis.services import analysis_run_compute_now
from annotate.assignments.models import Assignment, AssignmentStatus
from annotate.assignments.services import assignment_plan_apply
from annotate.audit.services import audit_record_many
from annotate.cases.services import attribute_define, case_create
from annotate.codebook.models import Code, CodebookVersion
from annotate.codebook.selectors import codebook_get
from annotate.codebook.services import codebook_import_tree
from annotate.coding.models import Coding, SegmentCodingVersion
from annotate.coding.services import coding_image
from annotate.documents.models import Document, Segment
from annotate.documents.services import SegmentSpec, document_create
from annotate.parsing import ImportOptions, parse_file
from annotate.projects.models import Project, Role
from annotate.projects.services import membership_add, project_create

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PROJECT_NAME = "Drug-policy reform: prosecutors (demo)"
DEMO_PASSWORD = "intercoder-demo"  # noqa: S105 - printed for the demo's logins; never used in production

DEMO_USERS = [
    # username, first name, last name, role
    ("pi", "Amara", "Okafor", Role.OWNER),
    ("ana", "Ana", "Ibáñez", Role.CODER),
    ("ben", "Ben", "Whitaker", Role.CODER),
    ("chioma", "Chioma", "Eze", Role.CODER),
    ("dana", "Dana", "Søndergaard", Role.ADJUDICATOR),
]

ATTRIBUTE_TYPES = {
    "role": ("choice", ["Elected prosecutor", "Policy staff"]),
    "jurisdiction": ("text", []),
    "region": ("choice", ["Northeast", "Midwest", "South", "West"]),
    "years_in_office": ("number", []),
    "interview_date": ("date", []),
    "interview_mode": ("choice", ["video", "phone"]),
}


@dataclass(frozen=True)
class DemoResult:
    project: Project
    created: bool


def _user(username: str, first: str, last: str):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        # The demo's PI is also the instance's administrator (the Users page), as the first account
        # made with createsuperuser would be.
        user = user_model.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.invalid",
            is_staff=username == "pi",
        )
    return user


def _codebook_tree() -> tuple[str, list[dict]]:
    data = json.loads((DATA_DIR / "codebook.json").read_text(encoding="utf-8"))
    fields = ("definition", "inclusion", "exclusion", "typical_example", "atypical_example", "colour")
    tree = []
    for theme in data["themes"]:
        tree.append(
            {
                "name": theme["name"],
                **{f: theme[f] for f in fields if theme.get(f)},
                "children": [
                    {"name": f"{c['key']} {c['name']}", **{f: c[f] for f in fields if c.get(f)}}
                    for c in theme["codes"]
                ],
            }
        )
    return data["name"], tree


def demo_load() -> DemoResult:
    existing = Project.objects.filter(name=DEMO_PROJECT_NAME, created_by__username="pi").first()
    if existing is not None:
        return DemoResult(project=existing, created=False)

    with transaction.atomic():
        users = {username: _user(username, first, last) for username, first, last, _ in DEMO_USERS}
        pi = users["pi"]
        project = project_create(
            creator=pi,
            name=DEMO_PROJECT_NAME,
            description=(
                "Synthetic demo: 16 in-depth interviews with elected prosecutors and policy staff in 14 "
                "jurisdictions (Nov 2021 – Apr 2022) about drug-policy reform. Invented people and places."
            ),
        )
        for username, _, _, role in DEMO_USERS:
            if role != Role.OWNER:
                membership_add(project=project, actor=pi, username=username, role=role)

        for name, (type_, choices) in ATTRIBUTE_TYPES.items():
            attribute_define(project=project, actor=pi, name=name, type=type_, choices=choices)

        _, tree = _codebook_tree()
        codebook_import_tree(
            codebook=codebook_get(project_id=project.id),
            actor=pi,
            tree=tree,
            rationale="Initial structured codebook (MacQueen et al. 1998 format).",
        )

        options = ImportOptions(exclude_interviewer=True)
        with (DATA_DIR / "cases.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for order, row in enumerate(rows, start=1):
            identifier = row.pop("participant_id")
            case = case_create(project=project, actor=pi, identifier=identifier, attributes=row)
            path = DATA_DIR / "transcripts" / f"{identifier}.txt"
            parsed = parse_file(path.read_bytes(), path.name, options)
            document_create(
                project=project,
                actor=pi,
                case=case,
                title=f"Interview {identifier}",
                text=parsed.text,
                normalise=False,
                source_format="txt",
                source_filename=path.name,
                sha256=parsed.sha256,
                interview_date=dt.date.fromisoformat(row["interview_date"]),
                analysis_order=order,
                segments=[SegmentSpec.from_parsed(s) for s in parsed.segments],
            )

        _plan_and_code(project=project, users=users)
        _analyse(project=project, actor=users["pi"])
    return DemoResult(project=project, created=True)


def _analyse(*, project: Project, actor) -> None:
    """Compute one agreement run (over the reliability sample) and one saturation run (over the coded
    interviews) in place, so that a newcomer sees completed runs as soon as the demo is loaded."""

    analysis_run_compute_now(project=project, actor=actor, kind="agreement", params={"seed": 20211108})
    analysis_run_compute_now(project=project, actor=actor, kind="saturation", params={"seed": 20211108})


# --- The demo's assignment plan and synthetic codings ---------------------------------------------
#
# Every transcript is coded once; a 25% reliability sample, stratified by region, is coded blind by all
# three demo coders. The coders' codings are synthesised from the gold passages (transcripts/PNN.codes.json)
# with realistic disagreement, from a fixed seed: most codes applied reliably; the neighbours the codebook's
# exclusions name (HR1/HR2, PO2/PO4, CS1/CS2) confused now and then; Ben noticeably stricter (he misses
# more). Each coder leaves their last two single-coded transcripts unfinished (one half-done), so a newcomer
# logging in as a coder has work waiting and the PI sees progress.

DEMO_SEED = 2021
DEMO_CODERS = ("ana", "ben", "chioma")
CONFUSABLE = {"HR1": "HR2", "HR2": "HR1", "PO2": "PO4", "PO4": "PO2", "CS1": "CS2", "CS2": "CS1"}
CONFUSION_RATE = 0.3
MISS_RATE = {"ana": 0.05, "ben": 0.3, "chioma": 0.08}
SPAN_RATE = 0.4  # share of applications made on the quoted passage rather than the whole turn
LEFT_UNFINISHED = 2  # single-coded transcripts each coder has still to finish


def _gold_by_segment(document, segments) -> dict[int, list[tuple[str, int, int]]]:
    """segment id → the gold (code key, start, end) passages inside it."""
    identifier = document.title.split()[-1]
    passages = json.loads((DATA_DIR / "transcripts" / f"{identifier}.codes.json").read_text(encoding="utf-8"))
    gold: dict[int, list[tuple[str, int, int]]] = {}
    for passage in passages:
        start = document.text.index(passage["quote"])
        end = start + len(passage["quote"])
        holder = next(s for s in segments if s.start_offset <= start and end <= s.end_offset)
        gold.setdefault(holder.pk, []).append((passage["code"], start, end))
    return gold


def _synthetic_codes(rng: random.Random, coder: str, gold: list[tuple[str, int, int]]):
    """What one coder applies to one segment: (code key, span or None) pairs, deduplicated."""
    applied: dict[tuple[str, tuple[int, int] | None], None] = {}
    for key, start, end in gold:
        if rng.random() < MISS_RATE[coder]:
            continue
        if key in CONFUSABLE and rng.random() < CONFUSION_RATE:
            key = CONFUSABLE[key]
        span = (start, end) if rng.random() < SPAN_RATE else None
        applied[(key, span)] = None
    return list(applied)


def _plan_and_code(*, project: Project, users: dict) -> None:

    pi = users["pi"]
    assignment_plan_apply(
        project=project,
        actor=pi,
        data={
            "unit_type": "document",
            "coders": [{"user": users[name].pk, "weight": 1.0} for name in DEMO_CODERS],
            "overlap": len(DEMO_CODERS),
            "sample_fraction": 0.25,
            "stratify_by": "region",
            "seed": DEMO_SEED,
        },
    )
    codes = {
        code.name.split()[0]: code.pk
        for code in Code.objects.filter(codebook__project=project, parent__isnull=False)
    }
    version_id = (
        CodebookVersion.objects.filter(codebook__project=project)
        .order_by("-number")
        .values_list("id", flat=True)[0]
    )
    documents = {d.pk: d for d in Document.objects.filter(project=project)}
    segments_by_doc: dict[int, list] = {}
    for segment in Segment.objects.filter(document__project=project, codable=True).order_by("position"):
        segments_by_doc.setdefault(segment.document_id, []).append(segment)
    gold = {}
    for doc_id, segments in segments_by_doc.items():
        gold.update(_gold_by_segment(documents[doc_id], segments))
    assignments = list(
        Assignment.objects.filter(project=project)
        .select_related("unit", "coder")
        .order_by("coder_id", "order")
    )
    # Which transcripts each coder leaves unfinished: their last single-coded ones in analysis order.
    single_docs: dict[int, list[int]] = {}
    for a in assignments:
        assert a.coder_id is not None  # a document plan gives every slot a coder
        if a.unit.planned_coders == 1 and a.unit.document_id not in single_docs.get(a.coder_id, []):
            single_docs.setdefault(a.coder_id, []).append(a.unit.document_id)
    unfinished = {coder: docs[-LEFT_UNFINISHED:] for coder, docs in single_docs.items()}

    now = timezone.now()
    new_codings, finished, versions = [], [], []
    done_in_doc: dict[tuple[int, int], int] = {}
    for a in assignments:
        assert a.coder is not None  # as above
        assert a.coder_id is not None
        doc_id = a.unit.document_id
        left = unfinished.get(a.coder_id, [])
        if doc_id in left:
            # The first of the unfinished transcripts is half done; the last is untouched.
            position = done_in_doc.setdefault((a.coder_id, doc_id), 0)
            if doc_id == left[-1] or position >= len(segments_by_doc[doc_id]) // 2:
                continue
            done_in_doc[(a.coder_id, doc_id)] += 1
        username = a.coder.username
        rng = random.Random(f"{DEMO_SEED}:{username}:{a.segment_id}")  # noqa: S311 - reproducible, not secret
        applied = _synthetic_codes(rng, username, gold.get(a.segment_id, []))
        for key, span in applied:
            new_codings.append(
                Coding(
                    project=project,
                    segment_id=a.segment_id,
                    code_id=codes[key],
                    coder_id=a.coder_id,
                    codebook_version_id=version_id,
                    span_start=span[0] if span else None,
                    span_end=span[1] if span else None,
                )
            )
        if applied:
            versions.append(
                SegmentCodingVersion(
                    project=project, coder_id=a.coder_id, segment_id=a.segment_id, version=1, updated_at=now
                )
            )
        a.status, a.done_at, a.last_activity_at = AssignmentStatus.DONE, now, now
        finished.append(a)
    created = Coding.objects.bulk_create(new_codings)
    SegmentCodingVersion.objects.bulk_create(versions)
    Assignment.objects.bulk_update(finished, ["status", "done_at", "last_activity_at"])
    coders = {users[name].pk: users[name] for name in DEMO_CODERS}
    audit_record_many(
        project_id=project.id,
        events=[
            {
                "actor": coders[c.coder_id],
                "action": "coding.create",
                "obj": c,
                "after": {**coding_image(c), "set_version": 1},
                "reason": "demo: synthetic coding",
            }
            for c in created
        ]
        + [
            {
                "actor": coders[a.coder_id],
                "action": "assignment.done",
                "obj": a,
                "before": {"segment": a.segment_id, "status": AssignmentStatus.ASSIGNED},
                "after": {"segment": a.segment_id, "status": AssignmentStatus.DONE},
                "reason": "demo: synthetic coding",
            }
            for a in finished
        ],
    )
