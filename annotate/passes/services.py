"""Opening a secondary pass: the passages of a code (or of a code query, with its filters, from the codings
chosen) become the transcripts of a new project, linked to its parent code, in one transaction.

What the new project holds:

- its owner (the PI who opened it) and, by default, every other member of the parent in the same role
  (``members``: the parent members to bring; the others stay out);
- the parent's case attributes, and the cases that have passages, with their values;
- one transcript per parent transcript with passages: the passages' texts in reading order, separated by a
  blank line, one segment each (speaker and timestamps kept), in the parent's analysis order, so
  saturation runs in the order of the interviews; each segment's ``Passage`` row names its source segment;
- an empty codebook: the themes are added in the Codebook tab, and the plan, coding, agreement,
  saturation, adjudication and exports are the primary pass's own.

The parent's trail records ``secondary_pass.create`` (the code, the pass, how many passages); the pass's
trail its own creation and ``passages.copy`` (where the passages came from, and a digest of the source
segment ids).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from rest_framework.exceptions import PermissionDenied

from annotate.audit.services import audit_record
from annotate.cases.models import AttributeDefinition, AttributeValue, Case
from annotate.cases.services import attribute_define, case_create
from annotate.codebook.models import Code
from annotate.core.exceptions import ApplicationError
from annotate.core.locks import lock_row
from annotate.documents.models import Document, Segment, SourceFormat
from annotate.documents.services import SegmentSpec, document_create
from annotate.explore.passages import CodeQuery, retrieval_build
from annotate.explore.scope import SOURCE_WORDS, SegmentFilters
from annotate.projects.models import Membership, Project, Role
from annotate.projects.services import membership_add, project_create

from .models import Passage, SecondaryPass

DEFAULT_SOURCE = "final"
SEPARATOR = "\n\n"


def _passage_rows(segments) -> list[dict[str, Any]]:
    return list(
        segments.values(
            "id",
            "document_id",
            "position",
            "speaker",
            "start_offset",
            "end_offset",
            "start_time_ms",
            "end_time_ms",
        )
    )


def _members_to_bring(parent: Project, actor, member_ids: Sequence[int] | None) -> list[Membership]:
    memberships = list(
        Membership.objects.filter(project=parent).exclude(user=actor).select_related("user").order_by("id")
    )
    if member_ids is None:
        return memberships
    by_user = {m.user_id: m for m in memberships}
    strangers = sorted(set(member_ids) - set(by_user) - {actor.pk})
    if strangers:
        raise ApplicationError(
            f"User(s) {', '.join(map(str, strangers))} are not members of this project; a secondary pass "
            "takes its team from the project's members."
        )
    return [by_user[u] for u in dict.fromkeys(member_ids) if u in by_user]


def _copy_attributes(parent: Project, child: Project, actor) -> dict[int, AttributeDefinition]:
    return {
        definition.id: attribute_define(
            project=child, actor=actor, name=definition.name, type=definition.type, choices=definition.choices
        )
        for definition in AttributeDefinition.objects.filter(project=parent).order_by("position", "id")
    }


def _copy_cases(parent_case_ids: set[int], child: Project, actor, attributes: dict) -> dict[int, Case]:
    values: dict[int, dict[str, Any]] = defaultdict(dict)
    for v in AttributeValue.objects.filter(case_id__in=parent_case_ids).select_related("attribute"):
        values[v.case_id][v.attribute.name] = v.value
    return {
        case.id: case_create(
            project=child,
            actor=actor,
            identifier=case.identifier,
            description=case.description,
            attributes=values.get(case.id, {}),
        )
        for case in Case.objects.filter(pk__in=parent_case_ids).order_by("identifier")
    }


def _copy_documents(
    rows: list[dict[str, Any]], child: Project, actor, cases: dict[int, Case], reason: str
) -> list[tuple[int, int, int]]:
    """One transcript per parent transcript; returns (child document id, position, source segment id)."""
    by_document: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_document[row["document_id"]].append(row)
    copied: list[tuple[int, int, int]] = []
    digests: set[str] = set()
    for parent_doc in Document.objects.filter(pk__in=by_document).order_by("analysis_order", "id"):
        passages = sorted(by_document[parent_doc.id], key=lambda r: r["position"])
        text, specs = "", []
        for row in passages:
            if text:
                text += SEPARATOR
            said = parent_doc.text[row["start_offset"] : row["end_offset"]]
            specs.append(
                SegmentSpec(
                    start=len(text),
                    end=len(text) + len(said),
                    speaker=row["speaker"],
                    start_time_ms=row["start_time_ms"],
                    end_time_ms=row["end_time_ms"],
                )
            )
            text += said
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in digests:  # two transcripts whose passages read the same ("Yes.")
            digest = hashlib.sha256(f"{parent_doc.id}\n{text}".encode()).hexdigest()
        digests.add(digest)
        document = document_create(
            project=child,
            actor=actor,
            case=cases[parent_doc.case_id],
            title=parent_doc.title,
            text=text,
            source_format=SourceFormat.API,
            source_filename=parent_doc.source_filename,
            sha256=digest,
            interview_date=parent_doc.interview_date,
            analysis_order=parent_doc.analysis_order,
            segments=specs,
            normalise=False,  # the parent's text is normalised already; offsets must not move
            reason=reason,
        )
        copied.extend((document.id, i, row["id"]) for i, row in enumerate(passages))
    return copied


def secondary_pass_create(
    *,
    membership: Membership,
    actor,
    query: CodeQuery,
    filters: SegmentFilters = SegmentFilters(),  # noqa: B008 (frozen: safe to share)
    source: str | None = None,
    coder: int | None = None,
    name: str = "",
    member_ids: Sequence[int] | None = None,
) -> SecondaryPass:
    """Open a secondary pass on the passages of ``query`` (its first code is the parent code), read from
    ``source`` (default: the final, adjudicated coding) by the owner ``membership``."""
    if membership.role != Role.OWNER:
        raise PermissionDenied("Only the project's owners can open a secondary pass.")
    if not query.all:
        raise ApplicationError("Start a secondary pass from a code: code=<id>.")
    parent = membership.project
    source = source or ("coders" if coder is not None else DEFAULT_SOURCE)
    retrieval = retrieval_build(
        membership=membership, query=query, filters=filters, source=source, coder=coder
    )
    code = Code.objects.get(pk=query.all[0])
    title = retrieval.title
    name = " ".join(name.split()) or f"Themes in {code.name}"
    if len(name) > 200:
        raise ApplicationError("A secondary pass's name has at most 200 characters.")
    bring = _members_to_bring(parent, actor, member_ids)
    with transaction.atomic():
        # The parent's row first (the lock order): two requests for the same pass queue here, and the
        # second finds the first.
        lock_row(Project, parent.id)
        existing = SecondaryPass.objects.filter(parent_code=code, name=name).first()
        if existing is not None:
            raise ApplicationError(
                f"{title} already has a secondary pass called {name!r} (project {existing.project_id}); "
                "open it, or give the new pass another name.",
                status=409,
                extra={"project": existing.project_id},
            )
        rows = _passage_rows(retrieval.segments)
        if not rows:
            raise ApplicationError(
                f"{title} has no passages in {SOURCE_WORDS[retrieval.source.name]}: there is nothing to "
                "code in a secondary pass. Choose other codings (e.g. source=final_else_coders) or another code."
            )
        child = project_create(
            creator=actor,
            name=name,
            description=f"Secondary pass of {parent.name}: the passages of {title}.",
        )
        for member in bring:
            membership_add(project=child, actor=actor, username=member.user.username, role=member.role)
        attributes = _copy_attributes(parent, child, actor)
        case_ids = set(
            Document.objects.filter(pk__in={r["document_id"] for r in rows}).values_list("case_id", flat=True)
        )
        cases = _copy_cases(case_ids, child, actor, attributes)
        copied = _copy_documents(rows, child, actor, cases, reason=f"Passages of {title} in {parent.name}")
        secondary = SecondaryPass.objects.create(
            project=child,
            parent_project=parent,
            parent_code=code,
            name=name,
            query={
                "code": list(query.all),
                "any": list(query.any),
                "none": list(query.none),
                "subcodes": query.subcodes,
                "document": filters.document,
                "case": filters.case,
                "role": filters.role,
                "attribute": [f"{a}:{v}" for a, v in filters.attributes],
                "source": retrieval.source.name,
                "coder": coder,
            },
            query_title=title[:500],
            source=retrieval.source.name,
            passage_count=len(rows),
            created_by=actor,
        )
        segment_ids = {
            (doc, pos): pk
            for pk, doc, pos in Segment.objects.filter(document__project=child).values_list(
                "id", "document_id", "position"
            )
        }
        Passage.objects.bulk_create(
            [
                Passage(
                    secondary_pass=secondary, segment_id=segment_ids[(doc, pos)], source_segment_id=source_id
                )
                for doc, pos, source_id in copied
            ]
        )
        link = {
            "parent_project": parent.id,
            "parent_project_name": parent.name,
            "parent_code": code.id,
            "parent_code_guid": str(code.guid),
            "query": title,
            "source": retrieval.source.name,
            "passages": len(rows),
            "documents": len({doc for doc, _, _ in copied}),
            "cases": len(cases),
        }
        source_ids = ",".join(str(source_id) for _, _, source_id in copied)
        audit_record(
            project_id=child.id,
            actor=actor,
            action="passages.copy",
            obj=secondary,
            after={
                **link,
                "members": sorted(m.user.username for m in bring),
                "source_segments_sha256": hashlib.sha256(source_ids.encode()).hexdigest(),
            },
        )
        audit_record(
            project_id=parent.id,
            actor=actor,
            action="secondary_pass.create",
            obj=secondary,
            after={"project": child.id, "name": name, **link},
        )
    return secondary
