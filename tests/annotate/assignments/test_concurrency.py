"""Reliability under concurrency, against real PostgreSQL: many coders claiming from one pool at once, and
racing writes of one coder's set. Each thread has its own database connection; the data is committed."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from annotate.assignments.models import Assignment, AssignmentPlan
from annotate.assignments.services import assignment_plan_apply
from annotate.audit.models import AuditEvent
from annotate.audit.selectors import audit_chain_breaks
from annotate.coding.models import Coding
from annotate.coding.rules import CodingSpec
from annotate.coding_loop.codings import coding_set_replace
from annotate.coding_loop.done import assignment_done
from annotate.coding_loop.queue import queue_next
from annotate.core.exceptions import ConflictError
from annotate.documents.services import SegmentSpec
from annotate.projects.models import Role
from tests.factories import ProjectFactory, UserFactory, make_case, make_code, make_document

N_CODERS = 50
N_DOCUMENTS = 20
SEGMENTS_PER_DOCUMENT = 100  # 2,000 segments in the pool


def pool_project(n_coders: int, n_documents: int, per_document: int):
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    coders = []
    for i in range(n_coders):
        user = UserFactory(username=f"c{i:02}")
        project.add_member(user, Role.CODER)
        coders.append(user)
    for d in range(n_documents):
        turns = [f"P{d:02}: turn {i} of document {d}." for i in range(per_document)]
        text = "\n\n".join(turns)
        specs, offset = [], 0
        for turn in turns:
            specs.append(SegmentSpec(start=offset, end=offset + len(turn)))
            offset += len(turn) + 2
        make_document(
            project,
            owner,
            case=make_case(project, owner, identifier=f"P{d:02}"),
            text=text,
            title=f"Doc {d}",
            segments=specs,
        )
    codes = [make_code(project, owner, name=f"Code {i}") for i in range(4)]
    return project, owner, coders, codes


def work(project_id, user, codes, barrier):
    """One coder: next → apply codes → done, until the pool has nothing left for them."""
    done, changes = [], 0
    try:
        barrier.wait()
        while (unit := queue_next(project_id=project_id, user=user)) is not None:
            chosen = [codes[(unit.segment_id + user.pk) % 4], codes[(unit.segment_id * 7 + user.pk) % 4]]
            specs = [CodingSpec(c.pk) for c in {c.pk: c for c in chosen}.values()]
            result = coding_set_replace(
                project_id=project_id, coder=user, segment=unit.segment, codings=specs, version=0
            )
            assert result.changed
            changes += len(specs)
            assignment_done(project_id=project_id, user=user, segment_id=unit.segment_id)
            done.append(unit.segment_id)
    finally:
        connection.close()
    return done, changes


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_coders_claim_and_code_a_pool_of_2000_segments_with_k_2(settings):
    # The run takes minutes on a loaded machine; a pending automatic run older than the resend delay
    # would be superseded (tested in tests/annotate/analysis/test_automatic_runs.py), not debounced.
    settings.INTERCODER_JOB_RESEND_AFTER_S = 3600
    project, owner, coders, codes = pool_project(N_CODERS, N_DOCUMENTS, SEGMENTS_PER_DOCUMENT)
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={
            "unit_type": "segment",
            "coders": [{"user": c.pk, "weight": 1.0} for c in coders],
            "overlap": 2,
            "sample_fraction": None,
            "stratify_by": "",
            "seed": 1,
        },
    )
    events_before = AuditEvent.objects.filter(project=project).count()
    barrier = threading.Barrier(N_CODERS)
    with ThreadPoolExecutor(max_workers=N_CODERS) as pool:
        results = list(pool.map(lambda u: work(project.id, u, codes, barrier), coders))

    n_segments = N_DOCUMENTS * SEGMENTS_PER_DOCUMENT
    # Every segment has exactly its two planned coders, both done, and they are different people.
    rows = list(Assignment.objects.filter(project=project).values_list("segment_id", "coder_id", "status"))
    assert len(rows) == 2 * n_segments
    assert all(status == "done" for _, _, status in rows)
    per_segment = Counter(segment for segment, _, _ in rows)
    assert set(per_segment.values()) == {2}
    assert len(per_segment) == n_segments
    assert len({(segment, coder) for segment, coder, _ in rows}) == 2 * n_segments
    # What each thread did is exactly what the database holds: nothing lost, nothing duplicated.
    claimed = Counter(
        (segment, coder.pk) for coder, (done, _) in zip(coders, results, strict=True) for segment in done
    )
    assert set(claimed.values()) == {1}
    assert set(claimed) == {(segment, coder) for segment, coder, _ in rows}
    total_changes = sum(changes for _, changes in results)
    assert Coding.objects.filter(project=project).count() == total_changes
    # Balanced within one of the fair share (80): nobody above 81.
    assert max(len(done) for done, _ in results) <= 81
    # One audit event per change, and the chain verifies.
    actions = Counter(
        AuditEvent.objects.filter(project=project).values_list("action", flat=True)[events_before:]
    )
    assert actions == {
        "assignment.claim": 2 * n_segments,
        "coding.create": total_changes,
        "assignment.done": 2 * n_segments,
        # Completing double-coded units and transcripts schedules automatic analysis runs; under 50
        # concurrent coders the debounce still leaves exactly one pending run of each kind.
        "agreement_run.create": 1,
        "saturation_run.create": 1,
    }
    assert list(audit_chain_breaks(project_id=project.id)) == []
    assert AssignmentPlan.objects.get(project=project).revision == 1


@pytest.mark.django_db(transaction=True)
def test_racing_puts_by_one_coder_on_one_segment_exactly_one_wins():
    project, owner, coders, codes = pool_project(2, 1, 3)
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={
            "unit_type": "document",
            "coders": [{"user": coders[0].pk, "weight": 1.0}],
            "overlap": 1,
            "sample_fraction": None,
            "stratify_by": "",
            "seed": 1,
        },
    )
    coder = coders[0]
    unit = queue_next(project_id=project.id, user=coder)
    for round_ in range(5):
        barrier = threading.Barrier(2)

        def race(code, round_=round_, barrier=barrier):
            try:
                barrier.wait()
                return coding_set_replace(
                    project_id=project.id,
                    coder=coder,
                    segment=unit.segment,
                    codings=[CodingSpec(code.pk)],
                    version=round_,
                )
            except ConflictError as error:
                return error
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(race, [codes[0], codes[1]] if round_ % 2 else [codes[2], codes[3]]))
        winners = [o for o in outcomes if not isinstance(o, ConflictError)]
        losers = [o for o in outcomes if isinstance(o, ConflictError)]
        assert len(winners) == 1, outcomes
        assert len(losers) == 1, outcomes
        assert winners[0].version == round_ + 1
        assert losers[0].status == 409
        assert losers[0].extra == {"version": round_ + 1}
        assert list(Coding.objects.filter(segment=unit.segment).values_list("code_id", flat=True)) == [
            winners[0].codings[0].code_id
        ]


def _wait_until_a_backend_waits_for_a_lock(timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no backend ever waited for the lock")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["merge", "coding"])
def test_a_coding_racing_a_merge_of_its_code_is_never_left_on_the_merged_code(first):
    """Whichever commits first, the coding ends on the merge's target or is refused; never on the
    emptied, deactivated source code."""
    from django.db import transaction

    from annotate.codebook.services import code_merge
    from annotate.core.exceptions import ApplicationError

    project, owner, coders, codes = pool_project(1, 1, 3)
    source, target = codes[0], codes[1]
    coder = coders[0]
    assignment_plan_apply(
        project=project,
        actor=owner,
        data={
            "unit_type": "document",
            "coders": [{"user": coder.pk, "weight": 1.0}],
            "overlap": 1,
            "sample_fraction": None,
            "stratify_by": "",
            "seed": 1,
        },
    )
    unit = queue_next(project_id=project.id, user=coder)
    holding, release = threading.Event(), threading.Event()

    def merge():
        try:
            with transaction.atomic():
                code_merge(code=source, target=target, actor=owner, rationale="same idea")
                if first == "merge":
                    holding.set()
                    release.wait(10)
        finally:
            connection.close()

    def code():
        try:
            with transaction.atomic():
                result = coding_set_replace(
                    project_id=project.id,
                    coder=coder,
                    segment=unit.segment,
                    codings=[CodingSpec(source.pk)],
                    version=0,
                )
                if first == "coding":
                    holding.set()
                    release.wait(10)
            return result
        except ApplicationError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        holder = pool.submit(merge if first == "merge" else code)
        assert holding.wait(10)
        waiter = pool.submit(code if first == "merge" else merge)
        _wait_until_a_backend_waits_for_a_lock()  # the second one queues behind the first one's lock
        release.set()
        outcomes = [holder.result(10), waiter.result(10)]

    on_source = Coding.objects.filter(code=source).count()
    on_target = Coding.objects.filter(code=target, segment=unit.segment).count()
    assert on_source == 0
    if first == "merge":  # the coding saw the code deactivated
        refused = outcomes[1]
        assert isinstance(refused, ApplicationError)
        assert "deactivated" in str(refused)
        assert on_target == 0
    else:  # the merge waited for the coding, then moved it
        assert on_target == 1
