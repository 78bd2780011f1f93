"""A study for adjudication tests, built through the services: transcripts with three codable turns each,
an applied document plan, and helpers to code a unit and mark it done."""

from annotate.assignments.models import Unit
from annotate.coding.rules import CodingSpec
from annotate.coding.selectors import coding_set_get
from annotate.coding_loop.codings import coding_set_replace
from annotate.coding_loop.done import assignment_done
from tests.annotate.assignments.study import Study, apply_plan, build_study


def make_study(*, plan_coders=("coder", "coder2"), n_documents=2, sample_fraction=None, coders=3) -> Study:
    """A study whose document plan gives every unit to all of ``plan_coders`` (or, with a sample
    fraction, the sampled documents to all of them and the rest to one)."""
    study = build_study(n_documents=n_documents, coders=coders)
    apply_plan(
        study,
        coders=[{"user": study.users[name].pk, "weight": 1.0} for name in plan_coders],
        overlap=len(plan_coders),
        sample_fraction=sample_fraction,
    )
    return study


def code(study: Study, name: str, segment, *items, done: bool = True) -> None:
    """Coder ``name`` codes ``segment`` with ``items`` (a code, or (code, start, end) with offsets
    relative to the segment's start) and, by default, marks it done."""
    user = study.users[name]
    specs = []
    for item in items:
        if isinstance(item, tuple):
            c, start, end = item
            specs.append(CodingSpec(c.pk, (segment.start_offset + start, segment.start_offset + end)))
        else:
            specs.append(CodingSpec(item.pk))
    _, version = coding_set_get(coder_id=user.pk, segment_id=segment.pk)
    coding_set_replace(
        project_id=study.project.id, coder=user, segment=segment, codings=specs, version=version
    )
    if done:
        assignment_done(project_id=study.project.id, user=user, segment_id=segment.pk)


def unit_of(segment) -> Unit:
    return Unit.objects.get(segment=segment)


def label(study: Study, segment, name: str) -> str:
    """The letter under which the adjudicator sees coder ``name`` on this unit (slot order)."""
    from annotate.adjudication.selectors import coder_label

    slots = list(unit_of(segment).assignments.order_by("slot").values_list("coder_id", flat=True))
    return coder_label(slots.index(study.users[name].pk))
