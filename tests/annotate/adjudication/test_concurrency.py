"""Races against committed data: two adjudicators deciding one unit, and a coder reopening a unit while
it is being decided. Exactly one of each pair wins, and the record stays consistent."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from annotate.adjudication.models import Decision
from annotate.adjudication.services import decision_bulk_apply, decision_decide
from annotate.assignments.models import Assignment, AssignmentStatus
from annotate.coding_loop.done import assignment_reopen
from annotate.core.exceptions import ConflictError

from .world import code, make_study, unit_of


def _race(*calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except ConflictError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.django_db(transaction=True)
def test_two_adjudicators_deciding_one_unit_one_wins_the_other_is_told_to_revise():
    study = make_study(n_documents=1)
    harm, diversion, _ = study.codes
    units = study.codable()
    for segment in units:
        code(study, "coder", segment, harm)
        code(study, "coder2", segment, diversion)
    for segment in units:
        outcomes = _race(
            *[
                lambda who=who, segment=segment: decision_decide(
                    project_id=study.project.id,
                    actor=study.users[who],
                    segment_id=segment.pk,
                    method="union",
                    rationale=f"by {who}",
                )
                for who in ("owner", "adjudicator")
            ]
        )
        won = [o for o in outcomes if isinstance(o, Decision)]
        lost = [o for o in outcomes if isinstance(o, ConflictError)]
        assert (len(won), len(lost)) == (1, 1), outcomes
        assert lost[0].extra == {"current_decision": won[0].pk}
        assert list(Decision.objects.filter(segment=segment).values_list("id", flat=True)) == [won[0].pk]


@pytest.mark.django_db(transaction=True)
def test_a_reopen_racing_a_bulk_decision_never_leaves_a_decided_unit_reopened():
    study = make_study(n_documents=1)
    harm, *_ = study.codes
    units = study.codable()
    for segment in units:
        code(study, "coder", segment, harm)
        code(study, "coder2", segment, harm)
    segment = units[0]
    outcomes = _race(
        lambda: decision_bulk_apply(
            project_id=study.project.id, actor=study.users["owner"], kind="unanimous"
        ),
        lambda: assignment_reopen(
            project_id=study.project.id, user=study.users["coder"], segment_id=segment.pk
        ),
    )
    decided = Decision.objects.filter(segment=segment).exists()
    reopened = Assignment.objects.filter(
        unit=unit_of(segment), coder=study.users["coder"], status=AssignmentStatus.ASSIGNED
    ).exists()
    # Either the reopen came first (the unit is no longer ready, so it was not decided) or the decision
    # did (and the reopen was refused); never both.
    assert decided != reopened, outcomes
    if decided:
        assert isinstance(outcomes[1], ConflictError)
    assert Decision.objects.count() == (3 if decided else 2)
