"""What the database refuses for memos: a memo is about one thing at most, and says something."""

import pytest

from annotate.cases.models import Case
from annotate.memos.models import Memo
from tests.annotate.db import constraints_immediate, rejected
from tests.factories import ProjectFactory, UserFactory, make_code, make_document


@pytest.fixture
def targets(db):
    constraints_immediate()
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    document = make_document(project, owner)
    return {
        "project": project,
        "author": owner,
        "segment": document.segments.first(),
        "code": make_code(project, owner),
        "case": Case.objects.get(pk=document.case_id),
    }


def memo(targets, *about, text="A note."):
    return Memo(
        project=targets["project"],
        author=targets["author"],
        text=text,
        **{name: targets[name] for name in about},
    )


@pytest.mark.parametrize(
    "about",
    [("segment", "code"), ("segment", "case"), ("code", "case"), ("segment", "code", "case")],
    ids="+".join,
)
def test_a_memo_has_at_most_one_target(targets, about):
    with rejected("memo_at_most_one_target"):
        memo(targets, *about).save()


@pytest.mark.parametrize(
    "about", [(), ("segment",), ("code",), ("case",)], ids=["project", "segment", "code", "case"]
)
def test_a_memo_on_one_thing_or_the_project_is_accepted(targets, about):
    stored = memo(targets, *about)
    stored.save()
    assert stored.target_type == (about[0] if about else "project")


def test_an_update_cannot_add_a_second_target(targets):
    stored = memo(targets, "segment")
    stored.save()
    with rejected("memo_at_most_one_target"):
        Memo.objects.filter(pk=stored.pk).update(code=targets["code"])


def test_a_memo_says_something(targets):
    with rejected("memo_text_not_empty"):
        memo(targets, text="").save()
