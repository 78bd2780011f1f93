"""What the passes app does when the apps below it say something happened."""

from django.dispatch import receiver

from annotate.core.exceptions import ApplicationError
from annotate.documents.signals import document_deleting

from .models import Passage


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
