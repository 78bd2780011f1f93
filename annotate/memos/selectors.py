"""Reads of memos, scoped to the requesting member. Segment memos are part of a coder's blind work, so they
follow the same rule as codings (annotate.coding.selectors.coding_blind_filter): before release a coder
sees their own segment memos and those on adjudicated units; memos on codes, cases and the project are
shared with every member."""

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound

from annotate.coding.selectors import coding_blind_filter
from annotate.projects.models import Membership

from .models import Memo


def memo_list_visible(*, membership: Membership, filters: dict | None = None) -> QuerySet[Memo]:
    filters = filters or {}
    qs = Memo.objects.filter(project_id=membership.project_id)
    blind = coding_blind_filter(membership=membership, owner_field="author")
    if blind is not None:
        qs = qs.filter(Q(segment__isnull=True) | blind)
    for key in ("segment", "code", "case"):
        if filters.get(key) is not None:
            qs = qs.filter(**{f"{key}_id": filters[key]})
    return qs.select_related("author").order_by("created_at", "id")


def memo_get_visible(*, membership: Membership, memo_id: int) -> Memo:
    memo = memo_list_visible(membership=membership).filter(pk=memo_id).first()
    if memo is None:
        raise NotFound("Memo not found.")
    return memo
