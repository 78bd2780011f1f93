"""Reads of memos, scoped to the requesting member. Segment memos are part of a coder's blind work: a
coder sees their own segment memos only; memos on codes, cases and the project are shared."""

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound

from annotate.projects.models import Membership, Role

from .models import Memo


def memo_list_visible(*, membership: Membership, filters: dict | None = None) -> QuerySet[Memo]:
    filters = filters or {}
    qs = Memo.objects.filter(project_id=membership.project_id)
    if membership.role in (Role.CODER, Role.VIEWER):
        qs = qs.filter(Q(segment__isnull=True) | Q(author_id=membership.user_id))
    for key in ("segment", "code", "case"):
        if filters.get(key) is not None:
            qs = qs.filter(**{f"{key}_id": filters[key]})
    return qs.select_related("author").order_by("created_at", "id")


def memo_get_visible(*, membership: Membership, memo_id: int) -> Memo:
    memo = memo_list_visible(membership=membership).filter(pk=memo_id).first()
    if memo is None:
        raise NotFound("Memo not found.")
    return memo
