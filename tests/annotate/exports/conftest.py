"""A small study for export tests: two cases with typed attributes, two transcripts (one with text beyond
the BMP, so code points and UTF-16 units differ), a theme with a sub-code, raw codings by three members,
a final (adjudicated) coding with a rationale, and memos."""

from dataclasses import dataclass, field

import numpy as np
import pytest
from django.utils import timezone

from annotate.adjudication.models import Decision, FinalCoding
from annotate.analysis.models import SaturationRun
from annotate.cases.services import attribute_define
from annotate.coding.services import coding_create
from annotate.core.models import JobStatus
from annotate.memos.services import memo_create
from annotate.projects.models import Role
from tests.annotate.world import assign_everything
from tests.factories import make_case, make_code, make_document

TEXT_1 = "Interviewer: What is harm reduction?\n\nP01: Naloxone in every café😀 and syringe services.\n\n=SUM(A1) is not a formula."
TEXT_2 = "Interviewer: And diversion?\n\nP02: Public health comes first."


@dataclass
class Study:
    project: object
    users: dict
    ids: dict = field(default_factory=dict)


def build_study(project, users) -> Study:
    owner, adjudicator, coder = users[Role.OWNER], users[Role.ADJUDICATOR], users[Role.CODER]
    attribute_define(
        project=project, actor=owner, name="role", type="choice", choices=["prosecutor", "staff"]
    )
    attribute_define(project=project, actor=owner, name="years", type="number")
    p01 = make_case(project, owner, identifier="P01", attributes={"role": "prosecutor", "years": 6})
    p02 = make_case(project, owner, identifier="P02", attributes={"role": "staff"})
    doc1 = make_document(project, owner, case=p01, text=TEXT_1, title="Interview P01")
    doc2 = make_document(project, owner, case=p02, text=TEXT_2, title="Interview P02")
    theme = make_code(project, owner, name="Harm reduction", definition="Reducing harms without abstinence.")
    child = make_code(
        project, owner, name="Naloxone", parent=theme, inclusion="Overdose reversal.", exclusion="Treatment."
    )
    health = make_code(project, owner, name="Public health")
    assign_everything(project, owner, [adjudicator, coder])
    s1 = list(doc1.segments.order_by("position"))
    s2 = list(doc2.segments.order_by("position"))
    seg = s1[1]
    cafe = doc1.text.index("café😀")
    coding_create(project_id=project.id, coder=coder, segment=seg, code=child)
    coding_create(
        project_id=project.id, coder=adjudicator, segment=seg, code=child, span=(cafe, cafe + len("café😀"))
    )
    coding_create(project_id=project.id, coder=coder, segment=s1[2], code=theme)
    coding_create(project_id=project.id, coder=owner, segment=s2[1], code=health)
    decision = Decision.objects.create(
        project=project,
        unit=seg.assignment_unit,
        segment=seg,
        adjudicator=adjudicator,
        decided_by=adjudicator,
        provenance="adjudicated",
        method="custom",
        rationale="Naloxone is named explicitly.",
        created_at=timezone.now(),
    )
    FinalCoding.objects.create(decision=decision, project=project, segment=seg, code=child)
    memo_create(project_id=project.id, author=coder, text="Café as a site?", segment=seg)
    memo_create(project_id=project.id, author=owner, text="Naloxone memo.", code=child)
    memo_create(project_id=project.id, author=owner, text="Project memo.")
    return Study(
        project=project,
        users=users,
        ids={
            "doc1": doc1.id,
            "doc2": doc2.id,
            "seg": seg.id,
            "theme": theme.id,
            "child": child.id,
            "health": health.id,
            "cafe": cafe,
            "p01": p01.id,
            "p02": p02.id,
        },
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def study(project_with_members):
    project, users = project_with_members
    return build_study(project, users)


@pytest.fixture
def saturation_run(study):
    from workers.stats.saturation import saturation_report

    incidence = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1], [1, 0, 0], [0, 0, 1], [1, 0, 0]], dtype=bool)
    report = saturation_report(incidence, code_labels=["a", "b", "c"], n_orders=20, seed=1)
    return SaturationRun.objects.create(
        project=study.project,
        status=JobStatus.DONE,
        params={"base_size": 4, "run_length": 2},
        result=report,
        snapshot={"codebook_version": 3, "digest": "abc"},
        seed=1,
        finished_at=timezone.now(),
    )
