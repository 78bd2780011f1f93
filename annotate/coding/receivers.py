"""What the coding app does when the apps below it write (``annotate.core.signals``): codings are never
lost to a codebook change or a transcript change, and they follow a merged code."""

from django.dispatch import receiver

from annotate.audit.services import audit_record_many
from annotate.codebook.signals import code_merging, codebook_in_use
from annotate.core.exceptions import ApplicationError
from annotate.documents.signals import document_deleting, turns_leaving_coding

from .models import Coding
from .rules import coding_image, coding_versions_bump


@receiver(codebook_in_use, dispatch_uid="coding.codebook_in_use")
def anything_coded(*, codebook, **_kwargs) -> bool:
    return Coding.objects.filter(project_id=codebook.project_id).exists()


@receiver(code_merging, dispatch_uid="coding.code_merging")
def move_codings_to_the_merge_target(*, code, target, actor, reason, **_kwargs) -> dict:
    """The merged code's codings move to the target; one that would duplicate the coder's own coding with
    the target (same segment, same span or both segment-level) is removed instead. Each with its audit
    event; codings keep the codebook version they were made under."""
    target_codings = {
        (c.coder_id, c.segment_id, c.span_start, c.span_end): c.pk
        for c in Coding.objects.filter(code=target).only("coder_id", "segment_id", "span_start", "span_end")
    }
    moved, removed, events, touched = [], [], [], set()
    for coding in Coding.objects.select_for_update().filter(code=code).order_by("id"):
        key = (coding.coder_id, coding.segment_id, coding.span_start, coding.span_end)
        before = coding_image(coding)
        touched.add((coding.coder_id, coding.segment_id))
        if key in target_codings:
            events.append(
                {
                    "actor": actor,
                    "action": "coding.delete_duplicate",
                    "obj": coding,
                    "before": before,
                    "after": {"duplicate_of": target_codings[key]},
                    "reason": reason,
                }
            )
            removed.append(coding.pk)
        else:
            events.append(
                {
                    "actor": actor,
                    "action": "coding.move",
                    "obj": coding,
                    "before": before,
                    "after": {**before, "code": target.pk},
                    "reason": reason,
                }
            )
            target_codings[key] = coding.pk
            moved.append(coding.pk)
    audit_record_many(project_id=code.codebook.project_id, events=events)
    Coding.objects.filter(pk__in=removed).delete()
    Coding.objects.filter(pk__in=moved).update(code=target)
    # Clients holding a coder's old set of codings on these segments must reload, not overwrite.
    coding_versions_bump(pairs=touched)
    return {"codings_moved": len(moved), "codings_removed_as_duplicates": len(removed)}


@receiver(document_deleting, dispatch_uid="coding.document_deleting")
def keep_a_coded_transcript(*, document, **_kwargs) -> None:
    if Coding.objects.filter(segment__document=document).exists():
        raise ApplicationError("This transcript has codings; it cannot be deleted.", status=409)


@receiver(turns_leaving_coding, dispatch_uid="coding.turns_leaving_coding")
def keep_coded_turns_codable(*, segments, speakers, **_kwargs) -> None:
    codings = Coding.objects.filter(segment__in=segments)
    if codings.exists():
        count, turns = codings.count(), codings.values("segment_id").distinct().count()
        raise ApplicationError(
            f"{count} coding(s) on {turns} turn(s) of {', '.join(speakers)} would be hidden as context. "
            "Remove those codings first (or keep these turns codable).",
            status=409,
            extra={"codings": count, "turns": turns},
        )
