"""What the memos app does when the apps below it write (``annotate.core.signals``)."""

from django.dispatch import receiver

from annotate.audit.services import audit_record, snapshot
from annotate.codebook.signals import code_merging
from annotate.core.exceptions import ApplicationError
from annotate.documents.signals import document_deleting

from .models import Memo
from .services import MEMO_FIELDS


@receiver(code_merging, dispatch_uid="memos.code_merging")
def move_memos_to_the_merge_target(*, code, target, actor, reason, **_kwargs) -> dict:
    """Memos on a merged code follow it to the target, each with its audit event."""
    moved = 0
    for memo in Memo.objects.select_for_update().filter(code=code).order_by("id"):
        before = snapshot(memo, fields=MEMO_FIELDS)
        memo.code = target
        memo.save(update_fields=["code", "updated_at"])
        audit_record(
            project_id=code.codebook.project_id,
            actor=actor,
            action="memo.move",
            obj=memo,
            before=before,
            after=snapshot(memo, fields=MEMO_FIELDS),
            reason=reason,
        )
        moved += 1
    return {"memos_moved": moved}


@receiver(document_deleting, dispatch_uid="memos.document_deleting")
def keep_a_transcript_with_memos(*, document, **_kwargs) -> None:
    if Memo.objects.filter(segment__document=document).exists():
        raise ApplicationError("This transcript has memos on its segments; delete them first.", status=409)
