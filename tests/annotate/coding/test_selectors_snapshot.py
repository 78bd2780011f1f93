"""The ratings snapshot for the agreement engine, and the progress report's constant query count."""

import numpy as np
import pytest
from rest_framework.test import APIClient

from annotate.coding.rules import CodingSpec
from annotate.coding.selectors import coding_ratings_snapshot
from annotate.coding_loop.codings import coding_set_replace
from annotate.coding_loop.done import assignment_done
from annotate.coding_loop.queue import queue_next
from tests.annotate.assignments.study import apply_plan, build_study

pytestmark = pytest.mark.django_db


def code_and_finish(study, who, codes, *, finish=True, span=False):
    user = study.users[who]
    unit = queue_next(project_id=study.project.id, user=user)
    specs = [CodingSpec(c.pk) for c in codes]
    if span:
        specs.append(CodingSpec(codes[0].pk, (unit.segment.start_offset, unit.segment.start_offset + 2)))
    coding_set_replace(
        project_id=study.project.id, coder=user, segment=unit.segment, codings=specs, version=0
    )
    if finish:
        assignment_done(project_id=study.project.id, user=user, segment_id=unit.segment_id)
    return unit


def test_snapshot_holds_done_units_only_with_empty_sets_as_ratings(django_assert_max_num_queries):
    study = build_study(n_documents=2)
    apply_plan(study, overlap=3, sample_fraction=1.0)
    harm, diversion, _ = study.codes
    unit = code_and_finish(study, "coder", [harm], span=True)  # a span of harm too: counts once
    code_and_finish(study, "coder2", [])  # done, nothing applies: a rating (the empty set)
    code_and_finish(study, "coder3", [diversion], finish=False)  # not done: missing
    with django_assert_max_num_queries(2):
        snap = coding_ratings_snapshot(project_id=study.project.id)
    coder, coder2 = study.users["coder"].pk, study.users["coder2"].pk
    assert snap.unit_ids.tolist() == [unit.segment_id]
    assert snap.coder_ids.tolist() == sorted([coder, coder2])
    assert snap.rated.tolist() == [[True, True]]
    assert snap.coding_code.tolist() == [snap.code_ids.tolist().index(harm.pk)]
    assert snap.coder_ids[snap.coding_coder].tolist() == [coder]
    assert snap.counts == {
        "units": 1,
        "coders": 2,
        "codes": 3,
        "ratings": 2,
        "codings": 1,
        "pairable_units": 1,
    }
    assert snap.rating_unit.dtype == np.int32
    again = coding_ratings_snapshot(project_id=study.project.id)
    assert again.digest == snap.digest
    code_and_finish(study, "coder", [diversion])
    assert coding_ratings_snapshot(project_id=study.project.id).digest != snap.digest


@pytest.mark.parametrize("n_documents", [2, 6])
def test_progress_takes_a_constant_number_of_queries(django_assert_num_queries, n_documents):
    study = build_study(n_documents=n_documents)
    apply_plan(study, overlap=2, sample_fraction=0.5)
    for who in ("coder", "coder2"):
        code_and_finish(study, who, [study.codes[0]])
    client = APIClient()
    client.force_authenticate(user=study.users["owner"])
    # session-less auth (forced) + membership + 4 aggregate queries
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/projects/{study.project.id}/progress/")
    body = response.json()
    assert sum(row["done"] for row in body["per_coder"]) == 2
    assert sum(row["assigned"] for row in body["per_document"]) == sum(
        row["assigned"] for row in body["per_coder"]
    )
    assert body["double_coded"]["units"] == 3 * round(n_documents * 0.5)
