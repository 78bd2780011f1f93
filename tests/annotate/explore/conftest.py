"""A small study for the Explore tests: three cases with a policy attribute, their interviews in speaker
turns (the interviewer's as context), codes in a theme, and codings by two coders."""

from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from annotate.assignments.services import assignment_plan_apply
from annotate.cases.services import attribute_define
from annotate.coding.services import coding_create
from annotate.documents.models import Segment
from annotate.documents.services import SegmentSpec
from annotate.projects.models import Role
from tests.factories import ProjectFactory, UserFactory, make_case, make_code, make_document

INTERVIEWS = {
    "P01": [
        ("Interviewer", "Do you talk about harm reduction?"),
        ("P01", "Harm reduction is our policy, and González agreed."),
        ("P01", "We fund naloxone in every precinct."),
    ],
    "P02": [
        ("Interviewer", "What about diversion?"),
        ("P02", "Diversion programs keep people out of court; harm-reduction came later."),
        ("P02", "Racial equity matters more to me than reducing harm."),
    ],
    "P03": [
        ("Interviewer", "And treatment?"),
        ("P03", "Treatment first. We do not say harm reduction here."),
        ("P03", "שלום עולם: naloxone saves lives."),
    ],
}
POLICY = {"P01": "non-prosecution", "P02": "diversion", "P03": "diversion"}


def turns(lines):
    text, specs = "", []
    for speaker, said in lines:
        if text:
            text += "\n\n"
        start = len(text) + len(speaker) + 2
        text += f"{speaker}: {said}"
        specs.append(
            SegmentSpec(start=start, end=len(text), speaker=speaker, codable=speaker != "Interviewer")
        )
    return text, specs


@dataclass
class Study:
    project: object
    users: dict
    cases: dict = field(default_factory=dict)
    documents: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    policy: object = None

    def segment(self, case: str, position: int) -> Segment:
        return Segment.objects.get(document=self.documents[case], position=position)


def build_study() -> Study:
    owner = UserFactory(username="owner")
    project = ProjectFactory(creator=owner)
    users = {"owner": owner}
    for role in (Role.ADJUDICATOR, Role.CODER, Role.VIEWER):
        users[str(role)] = UserFactory(username=str(role))
        project.add_member(users[str(role)], role)
    users["coder2"] = UserFactory(username="coder2")
    project.add_member(users["coder2"], Role.CODER)
    users["outsider"] = UserFactory(username="outsider")
    study = Study(project=project, users=users)
    study.policy = attribute_define(
        project=project, actor=owner, name="policy", type="choice", choices=["non-prosecution", "diversion"]
    )
    for identifier, lines in INTERVIEWS.items():
        case = make_case(project, owner, identifier=identifier, attributes={"policy": POLICY[identifier]})
        text, specs = turns(lines)
        study.cases[identifier] = case
        study.documents[identifier] = make_document(project, owner, case=case, text=text, segments=specs)
    theme = make_code(project, owner, name="Harm reduction theme")
    study.codes["theme"] = theme
    study.codes["named"] = make_code(project, owner, name="Named", parent=theme)
    study.codes["naloxone"] = make_code(project, owner, name="Naloxone", parent=theme)
    study.codes["equity"] = make_code(project, owner, name="Equity")
    coder, coder2 = users["coder"], users["coder2"]
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={
            "unit_type": "document",
            "coders": [{"user": coder.pk}, {"user": coder2.pk}],
            "overlap": 2,
            "seed": 1,
        },
    )
    apply = lambda who, case, position, code, span=None: coding_create(  # noqa: E731
        project_id=project.id,
        coder=who,
        segment=study.segment(case, position),
        code=study.codes[code],
        span=span,
    )
    apply(coder, "P01", 1, "named")
    apply(coder, "P01", 1, "equity")
    apply(coder, "P01", 2, "naloxone")
    apply(coder2, "P02", 2, "equity")
    apply(coder2, "P02", 1, "named")
    seg = study.segment("P03", 2)
    apply(coder2, "P03", 2, "naloxone", span=(seg.start_offset + 11, seg.start_offset + 19))
    return study


@pytest.fixture
def study(db):
    return build_study()


def api_get(study, path, user="owner", **params):
    """GET ``/api/v1/projects/<study>/<path>`` as the study's ``user`` (None: anonymous)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(study.users[user])
    return client.get(f"/api/v1/projects/{study.project.id}/{path}", params)
