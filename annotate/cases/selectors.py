from django.db.models import Prefetch, QuerySet
from rest_framework.exceptions import NotFound

from .models import AttributeDefinition, AttributeValue, Case


def attribute_list(*, project_id: int) -> QuerySet[AttributeDefinition]:
    return AttributeDefinition.objects.filter(project_id=project_id).order_by("position", "id")


def case_list(*, project_id: int) -> QuerySet[Case]:
    values = AttributeValue.objects.select_related("attribute")
    return (
        Case.objects.filter(project_id=project_id)
        .prefetch_related(Prefetch("attribute_values", queryset=values))
        .order_by("identifier")
    )


def case_get(*, project_id: int, case_id: int) -> Case:
    case = case_list(project_id=project_id).filter(pk=case_id).first()
    if case is None:
        raise NotFound("Case not found in this project.")
    return case
