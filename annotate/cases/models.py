from django.db import models
from django.db.models import Q

from annotate.core.models import TimeStampedModel


class AttributeType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    CHOICE = "choice", "Choice"


class AttributeDefinition(TimeStampedModel):
    """A typed case attribute defined per project (role, jurisdiction, years in office…)."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="attributes")
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=AttributeType.choices)
    choices = models.JSONField(default=list, blank=True, help_text="Allowed values for a choice attribute.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="attribute_name_unique_in_project"),
            models.CheckConstraint(condition=Q(type__in=AttributeType.values), name="attribute_type_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="attribute_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class Case(TimeStampedModel):
    """A participant (or site) whose transcripts are coded."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="cases")
    identifier = models.CharField(max_length=100, help_text="The participant id, e.g. P07.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "identifier"], name="case_identifier_unique_in_project"
            ),
            models.CheckConstraint(condition=~Q(identifier=""), name="case_identifier_not_empty"),
        ]

    def __str__(self) -> str:
        return self.identifier


class AttributeValue(models.Model):
    """One typed value: exactly one of the value columns is set, the one the attribute's type names."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey(AttributeDefinition, on_delete=models.PROTECT, related_name="values")
    # NULL, not "", marks "this column is not the value": the CHECK below needs exactly one non-NULL column.
    text_value = models.TextField(null=True, blank=True)  # noqa: DJ001
    number_value = models.FloatField(null=True, blank=True)
    date_value = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "attribute"], name="attribute_value_one_per_case"),
            models.CheckConstraint(
                condition=(
                    Q(text_value__isnull=False, number_value__isnull=True, date_value__isnull=True)
                    | Q(text_value__isnull=True, number_value__isnull=False, date_value__isnull=True)
                    | Q(text_value__isnull=True, number_value__isnull=True, date_value__isnull=False)
                ),
                name="attribute_value_exactly_one_column",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute_id}={self.value}"

    @property
    def value(self):
        for candidate in (self.text_value, self.number_value, self.date_value):
            if candidate is not None:
                return candidate
        return None
