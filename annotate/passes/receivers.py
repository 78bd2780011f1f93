"""What the passes app does when the apps below it say something happened."""

from django.dispatch import receiver

from annotate.core.exceptions import ApplicationError
from annotate.documents.signals import document_deleting
from annotate.explore.signals import passage_origin_wanted
from annotate.explore.writing import Origin

from .models import Passage
from .selectors import secondary_pass_of, secondary_pass_sentence, source_segments


@receiver(document_deleting, dispatch_uid="passes.document_deleting")
def keep_a_transcript_with_passages_in_a_pass(*, document, **_kwargs) -> None:
    """A parent transcript whose passages a secondary pass codes stays: the pass's link points into it."""
    held = Passage.objects.filter(source_segment__document=document).select_related("secondary_pass").first()
    if held is not None:
        raise ApplicationError(
            f"Passages of this transcript are coded in the secondary pass {held.secondary_pass.name!r}; "
            "it cannot be deleted.",
            status=409,
        )


@receiver(passage_origin_wanted, dispatch_uid="passes.passage_origin_wanted")
def cite_where_a_pass_copied_its_passages_from(*, project_id, **_kwargs) -> Origin | None:
    """A secondary pass's write-ups cite each passage's segment in the parent transcript too."""
    link = secondary_pass_of(project_id=project_id)
    if link is None:
        return None
    return Origin(sentence=secondary_pass_sentence(link), sources=source_segments(project_id=project_id))
