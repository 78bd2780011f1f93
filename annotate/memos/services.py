from django.db import transaction

from annotate.audit.services import audit_record, snapshot
from annotate.core.exceptions import ApplicationError
from annotate.core.locks import lock_row
from annotate.projects.models import Membership, Role

from .models import Memo

MEMO_FIELDS = ["text", "segment", "code", "case"]


def memo_create(*, project_id: int, author, text: str, segment=None, code=None, case=None) -> Memo:
    if not text.strip():
        raise ApplicationError("A memo needs some text.")
    targets = [t for t in (segment, code, case) if t is not None]
    if len(targets) > 1:
        raise ApplicationError("A memo is about one thing: a segment, a code, a case, or the project.")
    with transaction.atomic():
        memo = Memo.objects.create(
            project_id=project_id, author=author, text=text, segment=segment, code=code, case=case
        )
        audit_record(
            project_id=project_id,
            actor=author,
            action="memo.create",
            obj=memo,
            after=snapshot(memo, fields=MEMO_FIELDS),
        )
    return memo


def memo_update(*, memo: Memo, actor, text: str) -> Memo:
    if memo.author_id != actor.pk:
        raise ApplicationError("Only a memo's author can edit it.", status=403)
    if not text.strip():
        raise ApplicationError("A memo needs some text.")
    with transaction.atomic():
        memo = lock_row(Memo, memo.pk)
        before = snapshot(memo, fields=MEMO_FIELDS)
        memo.text = text
        memo.save(update_fields=["text", "updated_at"])
        audit_record(
            project_id=memo.project_id,
            actor=actor,
            action="memo.update",
            obj=memo,
            before=before,
            after=snapshot(memo, fields=MEMO_FIELDS),
        )
    return memo


def memo_delete(*, memo: Memo, actor) -> None:
    is_owner = Membership.objects.filter(project_id=memo.project_id, user=actor, role=Role.OWNER).exists()
    if memo.author_id != actor.pk and not is_owner:
        raise ApplicationError("Only a memo's author or a project owner can delete it.", status=403)
    with transaction.atomic():
        # The memo's row first, the audit chain last, as memo_update takes them (annotate.core.locks):
        # the other order let an edit and a delete of one memo wait on each other for good.
        memo = lock_row(Memo, memo.pk)
        audit_record(
            project_id=memo.project_id,
            actor=actor,
            action="memo.delete",
            obj=memo,
            before=snapshot(memo, fields=[*MEMO_FIELDS, "author"]),
        )
        memo.delete()
