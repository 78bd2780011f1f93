"""How often each code is used, for the Codebook tab and the reader's number keys: codings, coded segments,
transcripts and cases per code ("11 of 16 cases"), with a theme's figures also counted over its sub-codes.

Counted from one of three sources, under the blind-coding rule: a member's own codings ("mine"), every
coder's ("coders": owners and adjudicators, everyone once the project is released) or the final coding
("final"). A constant number of queries whatever the project's size.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count
from rest_framework.exceptions import PermissionDenied

from annotate.adjudication.models import FinalCoding
from annotate.codebook.models import Code
from annotate.coding.models import Coding
from annotate.documents.models import Document
from annotate.projects.models import Membership, Role

SOURCES = ("mine", "coders", "final")


def usage_default_source(membership: Membership) -> str:
    """Owners and adjudicators count every coder's codings; coders their own; viewers the final coding."""
    if membership.role in (Role.OWNER, Role.ADJUDICATOR):
        return "coders"
    return "mine" if membership.role == Role.CODER else "final"


def _codings(membership: Membership, source: str):
    project_id = membership.project_id
    if source == "final":
        return FinalCoding.objects.filter(project_id=project_id, decision__is_current=True)
    if source == "mine":
        return Coding.objects.filter(project_id=project_id, coder_id=membership.user_id)
    sees_all = membership.role in (Role.OWNER, Role.ADJUDICATOR) or membership.project.codings_released_at
    if not sees_all:
        raise PermissionDenied(
            "Coders code blind: every coder's codings can be counted once the PI releases them. "
            "Ask for source=mine (your own) instead."
        )
    return Coding.objects.filter(project_id=project_id)


def code_usage(*, membership: Membership, source: str | None = None) -> dict[str, Any]:
    """``{source, cases_total, documents_total, codes: [{code, codings, segments, documents, cases,
    codings_with_children, documents_with_children, cases_with_children}]}``, every code of the codebook
    (unused ones with zeros), in codebook order."""
    source = source or usage_default_source(membership)
    codings = _codings(membership, source)
    per_code = {
        row["code_id"]: row
        for row in codings.values("code_id").annotate(
            codings=Count("id"),
            segments=Count("segment_id", distinct=True),
            documents=Count("segment__document_id", distinct=True),
            cases=Count("segment__document__case_id", distinct=True),
        )
    }
    # Distinct (code, case) and (code, document) pairs: at most codes × cases rows, never one per coding.
    cases_of: dict[int, set[int]] = defaultdict(set)
    for code_id, case_id in codings.values_list("code_id", "segment__document__case_id").distinct():
        cases_of[code_id].add(case_id)
    documents_of: dict[int, set[int]] = defaultdict(set)
    for code_id, document_id in codings.values_list("code_id", "segment__document_id").distinct():
        documents_of[code_id].add(document_id)
    codes = list(
        Code.objects.filter(codebook__project_id=membership.project_id)
        .order_by("parent_id", "position", "id")
        .values_list("id", "parent_id")
    )
    children: dict[int | None, list[int]] = defaultdict(list)
    for code_id, parent_id in codes:
        children[parent_id].append(code_id)

    def subtree(code_id: int) -> list[int]:
        out, stack = [], [code_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(children[current])
        return out

    rows = []
    for code_id, _ in codes:
        own = per_code.get(code_id, {})
        below = subtree(code_id)
        rows.append(
            {
                "code": code_id,
                "codings": own.get("codings", 0),
                "segments": own.get("segments", 0),
                "documents": own.get("documents", 0),
                "cases": own.get("cases", 0),
                "codings_with_children": sum(per_code.get(c, {}).get("codings", 0) for c in below),
                "documents_with_children": len(set().union(*(documents_of[c] for c in below))),
                "cases_with_children": len(set().union(*(cases_of[c] for c in below))),
            }
        )
    documents = Document.objects.filter(project_id=membership.project_id)
    return {
        "source": source,
        "cases_total": documents.values("case_id").distinct().count(),
        "documents_total": documents.count(),
        "codes": rows,
    }
