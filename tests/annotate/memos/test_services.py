"""Memo services: a memo is about one thing at most; only its author edits it; its author or an owner
removes it; each change writes its audit event with before/after, or nothing is written."""

from unittest import mock

import pytest

from annotate.core.exceptions import ApplicationError
from annotate.memos.models import Memo
from annotate.memos.services import memo_create, memo_delete, memo_update
from annotate.projects.models import Role
from tests.annotate.db import audit_mark, audit_since
from tests.factories import make_code, make_document


@pytest.fixture
def study(project_with_members):
    project, users = project_with_members
    document = make_document(project, users[Role.OWNER])
    return {
        "project": project,
        "users": users,
        "segment": document.segments.first(),
        "code": make_code(project, users[Role.OWNER]),
        "case": document.case,
    }


def write(study, who="coder", text="Harm reduction means many things.", **targets):
    return memo_create(project_id=study["project"].id, author=study["users"][who], text=text, **targets)


def test_memo_create_records_the_memo(study):
    mark = audit_mark()
    memo = write(study, segment=study["segment"])
    (event,) = audit_since(mark)
    assert (event.action, event.actor_id, event.before) == ("memo.create", study["users"]["coder"].id, None)
    assert event.after == {
        "id": memo.id,
        "text": "Harm reduction means many things.",
        "segment": study["segment"].id,
        "code": None,
        "case": None,
    }


@pytest.mark.parametrize(
    "targets", [("segment", "code"), ("code", "case"), ("segment", "code", "case")], ids="+".join
)
def test_a_memo_about_two_things_is_refused(study, targets):
    mark = audit_mark()
    with pytest.raises(ApplicationError, match="A memo is about one thing"):
        write(study, **{name: study[name] for name in targets})
    assert not Memo.objects.exists()
    assert audit_since(mark) == []


@pytest.mark.parametrize("text", ["", "  \n "])
def test_a_memo_without_text_is_refused(study, text):
    with pytest.raises(ApplicationError, match=r"^A memo needs some text\.$"):
        write(study, text=text)
    assert not Memo.objects.exists()


def test_memo_update_records_before_and_after(study):
    memo = write(study)
    mark = audit_mark()
    memo_update(memo=memo, actor=study["users"]["coder"], text="At least three things.")
    (event,) = audit_since(mark)
    assert event.action == "memo.update"
    assert (event.before["text"], event.after["text"]) == (
        "Harm reduction means many things.",
        "At least three things.",
    )


@pytest.mark.parametrize("who", [Role.OWNER, Role.ADJUDICATOR, "outsider"])
def test_only_the_author_edits_a_memo(study, who):
    memo = write(study)
    mark = audit_mark()
    with pytest.raises(ApplicationError, match=r"^Only a memo's author can edit it\.$") as refused:
        memo_update(memo=memo, actor=study["users"][who], text="Rewritten.")
    assert refused.value.status == 403
    memo.refresh_from_db()
    assert memo.text == "Harm reduction means many things."
    assert audit_since(mark) == []


def test_an_edit_rolls_back_when_its_event_cannot_be_written(study):
    memo = write(study)
    with (
        mock.patch("annotate.audit.services._append", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        memo_update(memo=memo, actor=study["users"]["coder"], text="Rewritten.")
    memo.refresh_from_db()
    assert memo.text == "Harm reduction means many things."


@pytest.mark.parametrize("who", ["coder", Role.OWNER])
def test_the_author_or_an_owner_deletes_a_memo(study, who):
    memo = write(study, case=study["case"])
    mark = audit_mark()
    memo_delete(memo=memo, actor=study["users"][who])
    (event,) = audit_since(mark)
    assert (event.action, event.actor_id) == ("memo.delete", study["users"][who].id)
    assert (event.before["author"], event.before["case"]) == (study["users"]["coder"].id, study["case"].id)
    assert not Memo.objects.exists()


@pytest.mark.parametrize("who", [Role.ADJUDICATOR, Role.VIEWER, "outsider"])
def test_no_one_else_deletes_a_memo(study, who):
    memo = write(study)
    mark = audit_mark()
    with pytest.raises(ApplicationError, match="Only a memo's author or a project owner") as refused:
        memo_delete(memo=memo, actor=study["users"][who])
    assert refused.value.status == 403
    assert Memo.objects.filter(pk=memo.pk).exists()
    assert audit_since(mark) == []
