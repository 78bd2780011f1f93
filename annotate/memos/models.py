from django.conf import settings
from django.db import models
from django.db.models import Q

from annotate.core.models import TimeStampedModel


class Memo(TimeStampedModel):
    """A researcher's note on a segment, a code, a case, or (with none of them) the project."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="memos")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memos")
    text = models.TextField()
    segment = models.ForeignKey("documents.Segment", null=True, blank=True, on_delete=models.PROTECT)
    code = models.ForeignKey("codebook.Code", null=True, blank=True, on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(segment__isnull=True, code__isnull=True, case__isnull=True)
                    | Q(segment__isnull=False, code__isnull=True, case__isnull=True)
                    | Q(segment__isnull=True, code__isnull=False, case__isnull=True)
                    | Q(segment__isnull=True, code__isnull=True, case__isnull=False)
                ),
                name="memo_at_most_one_target",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="memo_text_not_empty"),
        ]

    @property
    def target_type(self) -> str:
        for name in ("segment", "code", "case"):
            if getattr(self, f"{name}_id") is not None:
                return name
        return "project"
