"""A small study for assignment and coding tests, built through the services: an owner, three coders, an
adjudicator, a viewer and an outsider; cases with a "region" attribute; transcripts with interviewer turns
(context) and participant turns (codable); three codes."""

from dataclasses import dataclass, field

from annotate.assignments.services import assignment_plan_apply
from annotate.cases.services import attribute_define, case_create
from annotate.documents.services import SegmentSpec, paragraph_segments
from annotate.projects.models import Project, Role
from tests.factories import ProjectFactory, UserFactory, make_code, make_document

REGIONS = ["North", "North", "South", "South", "East", "West"]


def transcript(n: int) -> str:
    return (
        f"Interviewer: Tell me about policy {n}.\n\n"
        f"P{n:02}: We reduce harm in county {n}.\n\n"
        "Interviewer: And then?\n\n"
        f"P{n:02}: We divert people, mostly {n}.\n\n"
        f"P{n:02}: Treatment matters too {n}."
    )


@dataclass
class Study:
    project: Project
    users: dict
    documents: list = field(default_factory=list)
    codes: list = field(default_factory=list)

    def codable(self, document=None):
        qs = (document or self.documents[0]).segments.filter(codable=True).order_by("position")
        return list(qs)

    def all_codable(self):
        return [s for d in self.documents for s in self.codable(d)]


def build_study(*, n_documents: int = 6, coders: int = 3) -> Study:
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    users = {"owner": owner}
    for i in range(coders):
        name = "coder" if i == 0 else f"coder{i + 1}"
        users[name] = UserFactory(username=name)
        project.add_member(users[name], Role.CODER)
    for role in ("adjudicator", "viewer"):
        users[role] = UserFactory(username=role)
        project.add_member(users[role], role)
    users["outsider"] = UserFactory(username="outsider")
    attribute_define(project=project, actor=owner, name="region", type="text", choices=[])
    study = Study(project=project, users=users)
    for n in range(1, n_documents + 1):
        case = case_create(
            project=project, actor=owner, identifier=f"P{n:02}", attributes={"region": REGIONS[(n - 1) % 6]}
        )
        text = transcript(n)
        # Paragraphs, with the interviewer's turns (positions 0 and 2) kept as context, not coded.
        specs = [
            SegmentSpec(
                start=s.start,
                end=s.end,
                speaker="Interviewer" if i in (0, 2) else f"P{n:02}",
                codable=i not in (0, 2),
            )
            for i, s in enumerate(paragraph_segments(text))
        ]
        document = make_document(
            project, owner, case=case, text=text, title=f"Interview P{n:02}", analysis_order=n, segments=specs
        )
        study.documents.append(document)
    study.codes = [make_code(project, owner, name=name) for name in ("Harm", "Diversion", "Treatment")]
    return study


def coder_ids(study: Study, *names: str) -> list[dict]:
    return [{"user": study.users[name].pk, "weight": 1.0} for name in names]


def apply_plan(study: Study, **params):
    data = {
        "unit_type": "document",
        "coders": [
            {"user": u.pk, "weight": 1.0} for name, u in study.users.items() if name.startswith("coder")
        ],
        "overlap": 1,
        "sample_fraction": None,
        "stratify_by": "",
        "seed": 7,
    }
    data.update(params)
    return assignment_plan_apply(project=study.project, actor=study.users["owner"], data=data)
