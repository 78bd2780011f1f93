"""Reads of codings, scoped to what the requesting member may see.

Blind coding: a coder sees only their own codings. Owners and adjudicators see everyone's. Viewers see
none until the project is released (release and per-unit rules arrive with assignment plans).
"""

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from annotate.projects.models import Membership, Role

from .models import Coding


def coding_list_visible(*, membership: Membership, filters: dict | None = None) -> QuerySet[Coding]:
    filters = filters or {}
    qs = Coding.objects.filter(project_id=membership.project_id)
    if membership.role == Role.CODER:
        qs = qs.filter(coder_id=membership.user_id)
    elif membership.role == Role.VIEWER:
        qs = qs.none()
    if filters.get("document") is not None:
        qs = qs.filter(segment__document_id=filters["document"])
    if filters.get("segment") is not None:
        qs = qs.filter(segment_id=filters["segment"])
    if filters.get("code") is not None:
        qs = qs.filter(code_id=filters["code"])
    if filters.get("coder") is not None:
        qs = qs.filter(coder_id=filters["coder"])
    return qs.select_related("coder").order_by("segment_id", "id")


def coding_get_visible(*, membership: Membership, coding_id: int) -> Coding:
    coding = coding_list_visible(membership=membership).filter(pk=coding_id).first()
    if coding is None:
        raise NotFound("Coding not found.")
    return coding
