"""Matrices through the API: code × case, code × attribute value, co-occurrence; every cell drills down to
exactly the passages it counts."""

import pytest

from tests.annotate.explore.conftest import api_get

pytestmark = pytest.mark.django_db


def get(study, kind, user="owner", **params):
    return api_get(study, f"matrices/{kind}/", user, **params)


def passages_total(study, **params):
    response = api_get(study, "passages/", **params)
    assert response.status_code == 200, response.content
    return response.json()["passages_total"]


def by_name(study, body):
    names = {c["id"]: c["name"] for c in body["codes"]}
    return {names[row["code"]]: row for row in body["rows"]}


def test_code_by_case_counts_segments_and_cases(study):
    body = get(study, "code-case", source="coders").json()
    assert [c["identifier"] for c in body["cases"]] == ["P01", "P02", "P03"]
    rows = by_name(study, body)
    assert rows["Harm reduction theme"] == {
        "code": study.codes["theme"].id,
        "segments": 4,
        "cases": 3,
        "counts": [2, 1, 1],
    }
    assert rows["Named"]["counts"] == [1, 1, 0]
    assert rows["Naloxone"]["counts"] == [1, 0, 1]
    assert (rows["Equity"]["cases"], body["cases_total"]) == (2, 3)


def test_every_code_by_case_cell_drills_down_to_its_passages(study):
    body = get(study, "code-case", source="coders").json()
    for row in body["rows"]:
        for case, count in zip(body["cases"], row["counts"], strict=True):
            assert passages_total(study, code=row["code"], case=case["id"], source="coders") == count


def test_code_by_attribute_value(study):
    body = get(study, "code-attribute", source="coders", attribute_id=study.policy.id).json()
    assert body["values"] == [{"value": "non-prosecution", "cases": 1}, {"value": "diversion", "cases": 2}]
    rows = by_name(study, body)
    assert rows["Harm reduction theme"]["cells"] == [{"cases": 1, "segments": 2}, {"cases": 2, "segments": 2}]
    assert rows["Equity"]["cells"] == [{"cases": 1, "segments": 1}, {"cases": 1, "segments": 1}]
    for row in body["rows"]:
        for value, cell in zip(body["values"], row["cells"], strict=True):
            drilled = passages_total(
                study, code=row["code"], attribute=f"{study.policy.id}:{value['value']}", source="coders"
            )
            assert drilled == cell["segments"]


def test_cooccurrence_counts_and_jaccard(study):
    body = get(study, "cooccurrence", source="coders").json()
    at = {c["name"]: i for i, c in enumerate(body["codes"])}
    named, equity, naloxone = at["Named"], at["Equity"], at["Naloxone"]
    assert body["units"] == 5
    assert body["counts"][named][equity] == body["counts"][equity][named] == 1
    assert body["counts"][named][named] == 2
    assert body["jaccard"][named][equity] == pytest.approx(1 / 3, abs=1e-4)
    assert body["counts"][at["Harm reduction theme"]][named] == 0  # codes as applied
    assert body["jaccard"][at["Harm reduction theme"]][at["Harm reduction theme"]] is None
    cases = get(study, "cooccurrence", source="coders", level="case").json()
    assert cases["counts"][named][equity] == 2
    assert cases["jaccard"][named][equity] == 1.0
    assert cases["jaccard"][naloxone][named] == pytest.approx(1 / 3, abs=1e-4)
    ids = [c["id"] for c in body["codes"]]
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if i < j:
                drilled = passages_total(study, code=f"{a},{b}", subcodes="false", source="coders")
                assert drilled == body["counts"][i][j]


def test_matrices_read_codings_as_retrieval_does(study):
    mine = by_name(study, get(study, "code-case", user="coder").json())
    assert mine["Harm reduction theme"]["counts"] == [2, 0, 0]
    assert get(study, "code-case", user="coder", source="coders").status_code == 403
    assert get(study, "code-case", user="viewer").json()["source"] == "final"
    one = by_name(study, get(study, "code-case", coder=study.users["coder2"].id).json())
    assert one["Harm reduction theme"]["counts"] == [0, 1, 1]
    assert get(study, "code-case", user="outsider").status_code == 404
    assert get(study, "code-case", user=None).status_code == 401


@pytest.mark.parametrize(
    ("kind", "params", "status", "message"),
    [
        ("code-attribute", {}, 400, "Name the case attribute"),
        ("code-attribute", {"attribute_id": 999999}, 404, "Case attribute 999999 not found"),
        ("cooccurrence", {"level": "word"}, 400, "level"),
        ("heatmap", {}, 404, "The matrices are"),
    ],
)
def test_bad_matrix_requests(study, kind, params, status, message):
    response = get(study, kind, **params)
    assert response.status_code == status
    assert message in str(response.json())
