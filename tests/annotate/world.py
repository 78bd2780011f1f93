"""A small, fully populated project for API tests: every kind of object an endpoint can be asked about,
built through the services (so the fixture carries its audit events, as real data does)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

from annotate.assignments.services import assignment_plan_apply
from annotate.coding.services import coding_create
from annotate.memos.services import memo_create
from annotate.projects.models import Membership, Project, Role
from tests.factories import ProjectFactory, UserFactory, make_case, make_code, make_document

TRANSCRIPT = "Interviewer: How?\n\nP01: We reduce harm.\n\nP01: And we divert people."
SPARE_TRANSCRIPT = "Interviewer: Why?\n\nP01: Public health."


@dataclass
class World:
    project: Project
    users: dict
    ids: dict[str, int] = field(default_factory=dict)
    own_coding: dict[str, int] = field(default_factory=dict)  # role -> that member's own coding

    def user(self, role: str):
        return None if role == "anonymous" else self.users[role]


def members_project() -> tuple[Project, dict]:
    """The project of ``tests/conftest.py::project_with_members`` (the same users in the same roles), as a
    plain function so that a module-scoped fixture can build it once for many tests."""
    owner = UserFactory(username="owner")
    project = ProjectFactory(creator=owner)
    users = {Role.OWNER: owner}
    for role in (Role.ADJUDICATOR, Role.CODER, Role.VIEWER):
        users[role] = UserFactory(username=str(role))
        project.add_member(users[role], role)
    users["outsider"] = UserFactory(username="outsider")
    return project, users


@contextmanager
def module_transaction(django_db_blocker) -> Iterator[None]:
    """One transaction around a whole module, rolled back at its end. Build shared data inside it; each
    test's own ``db`` transaction then nests as a savepoint, so what one test changes the next never
    sees (pytest-django keeps TestCase's class-level set-up out of the way for exactly this)."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def assign_everything(project: Project, owner, coders) -> None:
    """Give every codable segment to every one of ``coders`` (coders need an assignment to code; owners
    may code without one)."""
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={
            "unit_type": "document",
            "coders": [{"user": user.pk, "weight": 1.0} for user in coders],
            "overlap": len(coders),
            "sample_fraction": None,
            "stratify_by": "",
            "seed": 1,
        },
    )


def build_world(project: Project, users: dict) -> World:
    """The project of ``project_with_members``, plus:

    - cases P01 (with a coded transcript) and P02 (nothing attached: safe to delete);
    - a coded transcript (3 segments), every segment assigned to the adjudicator and the coder;
    - a spare transcript, uncoded and in no plan (safe to delete);
    - codes "Harm reduction" and "Public health";
    - one segment-level coding of "Harm reduction" on segment 1 by each of owner, adjudicator and coder;
    - the coder's memo on the project and the coder's memo on segment 1;
    - a user "newcomer" who is not yet a member.
    """
    owner, coder = users[Role.OWNER], users[Role.CODER]
    case = make_case(project, owner, identifier="P01")
    spare_case = make_case(project, owner, identifier="P02")
    document = make_document(project, owner, case=case, text=TRANSCRIPT, title="Interview P01")
    segments = list(document.segments.order_by("position"))
    harm = make_code(project, owner, name="Harm reduction")
    health = make_code(project, owner, name="Public health")
    assign_everything(project, owner, [users[Role.ADJUDICATOR], coder])
    spare_document = make_document(project, owner, case=case, text=SPARE_TRANSCRIPT, title="Follow-up P01")
    world = World(project=project, users=users)
    for role in (Role.OWNER, Role.ADJUDICATOR, Role.CODER):
        coding, created = coding_create(
            project_id=project.id, coder=users[role], segment=segments[1], code=harm
        )
        assert created, f"the {role}'s coding should be new"
        world.own_coding[str(role)] = coding.id
    project_memo = memo_create(project_id=project.id, author=coder, text="Harm reduction means many things.")
    segment_memo = memo_create(
        project_id=project.id, author=coder, text="Is this about harm or diversion?", segment=segments[1]
    )
    UserFactory(username="newcomer")
    world.ids = {
        "p": project.id,
        "case": case.id,
        "spare_case": spare_case.id,
        "doc": document.id,
        "spare_doc": spare_document.id,
        "seg0": segments[0].id,
        "seg1": segments[1].id,
        "seg2": segments[2].id,
        "code": harm.id,
        "code2": health.id,
        "coding": world.own_coding[Role.CODER],
        "memo": project_memo.id,
        "segment_memo": segment_memo.id,
        "viewer_membership": Membership.objects.get(project=project, user=users[Role.VIEWER]).id,
    }
    return world
