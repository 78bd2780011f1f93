"""The demo study: a synthetic replica of the kind of study Intercoder serves (see data/README.md).

Everything goes through the same services a user's actions do, so the demo's audit trail is as complete
as a real project's. Loading is one transaction: it either loads completely or not at all, and loading
twice changes nothing.
"""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from annotate.cases.services import attribute_define, case_create
from annotate.codebook.selectors import codebook_get
from annotate.codebook.services import codebook_import_tree
from annotate.documents.parsing import ImportOptions, parse_file
from annotate.documents.services import SegmentSpec, document_create
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
        user = user_model.objects.create_user(username=username, password=DEMO_PASSWORD, first_name=first,
                                              last_name=last)
    return user


def _codebook_tree() -> tuple[str, list[dict]]:
    data = json.loads((DATA_DIR / "codebook.json").read_text(encoding="utf-8"))
    fields = ("definition", "inclusion", "exclusion", "typical_example", "atypical_example", "colour")
    tree = []
    for theme in data["themes"]:
        tree.append({
            "name": theme["name"],
            **{f: theme[f] for f in fields if theme.get(f)},
            "children": [{"name": f"{c['key']} {c['name']}", **{f: c[f] for f in fields if c.get(f)}}
                         for c in theme["codes"]],
        })
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
        codebook_import_tree(codebook=codebook_get(project_id=project.id), actor=pi, tree=tree,
                             rationale="Initial structured codebook (MacQueen et al. 1998 format).")

        options = ImportOptions(exclude_interviewer=True)
        with (DATA_DIR / "cases.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for order, row in enumerate(rows, start=1):
            identifier = row.pop("participant_id")
            case = case_create(project=project, actor=pi, identifier=identifier, attributes=row)
            path = DATA_DIR / "transcripts" / f"{identifier}.txt"
            parsed = parse_file(path.read_bytes(), path.name, options)
            document_create(
                project=project, actor=pi, case=case, title=f"Interview {identifier}", text=parsed.text,
                normalise=False, source_format="txt", source_filename=path.name, sha256=parsed.sha256,
                interview_date=row["interview_date"], analysis_order=order,
                segments=[SegmentSpec(start=s.start, end=s.end, speaker=s.speaker or "", codable=s.codable,
                                      start_time_ms=s.start_time_ms, end_time_ms=s.end_time_ms)
                          for s in parsed.segments],
            )
    return DemoResult(project=project, created=True)
