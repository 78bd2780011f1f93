"""Each coder against the final coding, per code, checked against an independent computation
(scikit-learn's ``cohen_kappa_score``, and a plain count for percent agreement)."""

import math
import warnings

import pytest
from rest_framework.test import APIClient
from sklearn.metrics import cohen_kappa_score

from annotate.adjudication.selectors import coder_agreement_with_final, final_sets_by_segment
from annotate.adjudication.services import decision_bulk_apply, decision_decide

from .world import code, label, make_study

pytestmark = pytest.mark.django_db

# Per unit: coder's codes, coder2's codes, and how the adjudicator decides (None: unanimous, in bulk).
PATTERN = [
    ("H", "H", None),
    ("H", "D", ("accept_coder", "coder")),
    ("HD", "H", ("accept_coder", "coder2")),
    ("", "T", ("union", None)),
    ("T", "T", None),
    ("HT", "H", ("accept_coder", "coder")),
    ("D", "DT", ("union", None)),
    ("H", "", ("accept_coder", "coder2")),
    ("DT", "D", ("intersection", None)),
]


@pytest.fixture
def decided():
    study = make_study(n_documents=3)
    by_letter = dict(zip("HDT", study.codes, strict=True))
    units = [s for d in study.documents for s in study.codable(d)]
    assert len(units) == len(PATTERN)
    for segment, (mine, theirs, _) in zip(units, PATTERN, strict=True):
        code(study, "coder", segment, *[by_letter[x] for x in mine])
        code(study, "coder2", segment, *[by_letter[x] for x in theirs])
    decision_bulk_apply(project_id=study.project.id, actor=study.users["owner"], kind="unanimous")
    for segment, (_, _, how) in zip(units, PATTERN, strict=True):
        if how is None:
            continue
        method, who = how
        decision_decide(
            project_id=study.project.id,
            actor=study.users["adjudicator"],
            segment_id=segment.pk,
            method=method,
            coder=label(study, segment, who) if who else None,
            rationale="" if who else "Decided.",
        )
    study.units = units
    return study


def expected(study, name):
    """Independently: per code, the coder's and the final coding's 0/1 vectors over the units."""
    finals = final_sets_by_segment(project_id=study.project.id)
    index = 0 if name == "coder" else 1
    letters = {c.pk: letter for letter, c in zip("HDT", study.codes, strict=True)}
    result = {}
    for c in study.codes:
        mine = [int(letters[c.pk] in PATTERN[i][index]) for i in range(len(study.units))]
        final = [int(any(e[0] == c.pk for e in finals[s.pk])) for s in study.units]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kappa = cohen_kappa_score(mine, final)
        pa = sum(a == b for a, b in zip(mine, final, strict=True)) / len(mine)
        result[c.pk] = (pa, None if math.isnan(kappa) else kappa)
    return result


def test_agreement_with_the_final_coding_matches_scikit_learn(decided):
    rows = {r["username"]: r for r in coder_agreement_with_final(project_id=decided.project.id)}
    assert set(rows) == {"coder", "coder2"}
    for name in ("coder", "coder2"):
        want = expected(decided, name)
        assert rows[name]["n_units"] == 9
        for entry in rows[name]["codes"]:
            pa, kappa = want[entry["code_id"]]
            assert entry["percent_agreement"] == pytest.approx(pa)
            if kappa is None:
                assert entry["cohen_kappa"] is None
                assert entry["cohen_kappa_reason"]
            else:
                assert entry["cohen_kappa"] == pytest.approx(kappa)
    # At least one kappa is a real, non-trivial number (the data are not degenerate).
    kappas = [e["cohen_kappa"] for r in rows.values() for e in r["codes"] if e["cohen_kappa"] is not None]
    assert any(0 < k < 1 for k in kappas)
    # Whole sets: coder's set equals the final set on units 0, 1, 4, 5 (of 9).
    assert rows["coder"]["exact_set_agreement"] == pytest.approx(4 / 9)


def test_a_coder_sees_only_their_own_row(decided):
    url = f"/api/v1/projects/{decided.project.id}/adjudication/coder-agreement/"
    as_coder = APIClient()
    as_coder.force_authenticate(decided.users["coder2"])
    rows = as_coder.get(url).json()["results"]
    assert [r["username"] for r in rows] == ["coder2"]
    as_owner = APIClient()
    as_owner.force_authenticate(decided.users["owner"])
    assert [r["username"] for r in as_owner.get(url).json()["results"]] == ["coder", "coder2"]
    as_outsider_coder = APIClient()
    as_outsider_coder.force_authenticate(decided.users["coder3"])
    assert as_outsider_coder.get(url).json()["results"] == []
