"""Reads of secondary passes: a project's link to its parent code, and the passes opened from a project."""

from __future__ import annotations

from typing import Any, NamedTuple

from annotate.codebook.selectors import code_paths
from annotate.projects.models import Membership

from .models import Passage, SecondaryPass


def _pass_row(secondary: SecondaryPass, paths: dict[int, str]) -> dict[str, Any]:
    return {
        "id": secondary.id,
        "project": {"id": secondary.project_id, "name": secondary.project.name},
        "parent_project": {"id": secondary.parent_project_id, "name": secondary.parent_project.name},
        "parent_code": {"id": secondary.parent_code_id, "path": paths.get(secondary.parent_code_id, "")},
        "name": secondary.name,
        "query": secondary.query_title,
        "source": secondary.source,
        "passages": secondary.passage_count,
        "created_at": secondary.created_at,
    }


def secondary_pass_links(*, membership: Membership) -> dict[str, Any]:
    """``parent``: the pass this project is (None for a primary pass); ``passes``: the passes opened from
    it, each saying whether the caller is a member of it (``member``: the link opens)."""
    project_id = membership.project_id
    parent = (
        SecondaryPass.objects.filter(project_id=project_id)
        .select_related("project", "parent_project", "parent_code__codebook")
        .first()
    )
    children = list(
        SecondaryPass.objects.filter(parent_project_id=project_id)
        .select_related("project", "parent_project")
        .order_by("-created_at", "-id")
    )
    paths = code_paths(codebook=membership.project.codebook) if children else {}
    if parent is not None:
        paths |= code_paths(codebook=parent.parent_code.codebook)
    mine = set(
        Membership.objects.filter(
            user_id=membership.user_id, project_id__in=[c.project_id for c in children]
        ).values_list("project_id", flat=True)
    )
    return {
        "parent": None if parent is None else _pass_row(parent, paths),
        "passes": [{**_pass_row(c, paths), "member": c.project_id in mine} for c in children],
    }


class SourceSegment(NamedTuple):
    """The parent segment a pass's segment was copied from: its id and its number as the parent's reader
    shows it (¶ position + 1), which a write-up cites."""

    id: int
    number: int


def source_segments(*, project_id: int) -> dict[int, SourceSegment]:
    """A secondary pass's segments → the parent segments they were copied from (empty for a primary
    pass)."""
    return {
        segment_id: SourceSegment(source_id, position + 1)
        for segment_id, source_id, position in Passage.objects.filter(
            secondary_pass__project_id=project_id
        ).values_list("segment_id", "source_segment_id", "source_segment__position")
    }


def secondary_pass_sentence(link: SecondaryPass) -> str:
    """The link in words, for the head of a pass's reports and write-ups."""
    return (
        f"A secondary pass of the project {link.parent_project.name!r}: the passages of {link.query_title}. "
        f"Each citation also gives the segment's number (¶) in the parent project's transcript."
    )


def secondary_pass_of(*, project_id: int) -> SecondaryPass | None:
    return (
        SecondaryPass.objects.filter(project_id=project_id)
        .select_related("parent_project", "parent_code")
        .first()
    )
