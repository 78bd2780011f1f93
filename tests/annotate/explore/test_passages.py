"""Retrieval through the API: code queries, context, sources under the blind-coding rule, filters, pages,
the Markdown and CSV downloads, and bad input."""

import csv
import io

import pytest

from tests.annotate.explore.conftest import api_get
from tests.factories import ProjectFactory, UserFactory, make_code

pytestmark = pytest.mark.django_db


def get(study, user="owner", path="passages/", **params):
    return api_get(study, path, user, **params)


def found(response):
    assert response.status_code == 200, response.content
    return [(r["case"]["identifier"], r["segment_number"]) for r in response.json()["results"]]


def ids(study, *names):
    return ",".join(str(study.codes[n].id) for n in names)


def test_a_theme_retrieves_its_codes_passages_with_context(study):
    response = get(study, code=ids(study, "theme"), source="coders")
    assert found(response) == [("P01", 2), ("P01", 3), ("P02", 2), ("P03", 3)]
    body = response.json()
    assert (body["passages_total"], body["cases_matched"], body["cases_total"]) == (4, 3, 3)
    first = body["results"][0]
    assert first["speaker"] == "P01"
    assert first["before"]["text"] == "Do you talk about harm reduction?"
    assert first["before"]["speaker"] == "Interviewer"
    assert first["after"]["text"] == "We fund naloxone in every precinct."
    assert first["whole_segment"] is True
    assert [(c["code_path"], c["by"]) for c in first["codings"]] == [
        ("Harm reduction theme > Named", ["coder"])
    ]
    span = body["results"][-1]
    assert span["whole_segment"] is False
    assert [p for p, coded in span["pieces"] if coded] == ["naloxone"]
    assert span["after"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"code": ("named", "equity")}, [("P01", 2)]),  # A AND B on the same segment
        ({"any": ("named", "equity")}, [("P01", 2), ("P02", 2), ("P02", 3)]),
        ({"code": ("theme",), "none": ("equity",)}, [("P01", 3), ("P02", 2), ("P03", 3)]),  # A NOT B
        ({"code": ("theme",), "subcodes": "false"}, []),  # the theme itself was never applied
    ],
)
def test_code_queries(study, params, expected):
    query = {k: (ids(study, *v) if isinstance(v, tuple) else v) for k, v in params.items()}
    assert found(get(study, source="coders", **query)) == expected


def test_filters_by_case_attribute_and_case(study):
    diversion = get(
        study, code=ids(study, "theme"), source="coders", attribute=f"{study.policy.id}:diversion"
    )
    assert found(diversion) == [("P02", 2), ("P03", 3)]
    assert diversion.json()["cases_total"] == 2
    assert found(get(study, code=ids(study, "theme"), source="coders", case=study.cases["P01"].id)) == [
        ("P01", 2),
        ("P01", 3),
    ]


def test_coders_retrieve_only_their_own_codings(study):
    assert found(get(study, "coder", code=ids(study, "theme"))) == [("P01", 2), ("P01", 3)]
    assert found(get(study, "coder2", code=ids(study, "theme"))) == [("P02", 2), ("P03", 3)]
    refused = get(study, "coder", code=ids(study, "theme"), source="coders")
    assert refused.status_code == 403
    assert get(study, "coder", code=ids(study, "theme"), coder=study.users["coder2"].id).status_code == 403
    # Their view of the final coding: adjudicated units only (none yet).
    assert found(get(study, "coder", code=ids(study, "theme"), source="final")) == []


def test_owners_read_one_coder_and_viewers_the_final_coding(study):
    one = get(study, code=ids(study, "theme"), coder=study.users["coder2"].id)
    assert found(one) == [("P02", 2), ("P03", 3)]
    assert found(get(study, "viewer", code=ids(study, "theme"))) == []
    assert get(study, "viewer", code=ids(study, "theme"), source="coders").status_code == 403


def test_pages_of_passages(study):
    first = get(study, code=ids(study, "theme"), source="coders", page_size=3).json()
    assert (first["pages"], len(first["results"])) == (2, 3)
    second = get(study, code=ids(study, "theme"), source="coders", page_size=3, page=2)
    assert found(second) == [("P03", 3)]


def test_markdown_and_csv_cite_each_quotation(study):
    md = get(study, path="passages/export.md", code=ids(study, "theme"), source="coders")
    assert md.status_code == 200
    text = b"".join(md.streaming_content).decode()
    assert text.startswith("# Passages: Harm reduction theme\n")
    assert "\n## P03\n" in text
    assert "> **P03:** naloxone\n>\n> — P03, Interview P03, ¶3 · Harm reduction theme > Naloxone" in text
    response = get(study, path="passages/export.csv", code=ids(study, "theme"), source="coders")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["case"], r["segment_number"]) for r in rows] == [
        ("P01", "2"),
        ("P01", "3"),
        ("P02", "2"),
        ("P03", "3"),
    ]
    assert rows[0]["citation"] == "P01, Interview P01, ¶2"
    assert rows[0]["before"] == "Do you talk about harm reduction?"
    assert rows[-1]["quotation"] == "naloxone"


def test_docx_holds_each_quotation_with_its_citation(study):
    import docx

    response = get(study, path="passages/export.docx", code=ids(study, "theme"), source="coders")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Passages: Harm reduction theme"
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == ["P01", "P02", "P03"]
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes[-1] == "P03: naloxone"
    assert "— P03, Interview P03, ¶3 · Harm reduction theme > Naloxone" in texts
    assert len(quotes) == 4


def test_bad_input(study):
    other = ProjectFactory(creator=UserFactory(username="elsewhere"))
    foreign = make_code(other, other.created_by, name="Elsewhere")
    cases = [
        ({}, 400, "Name a code to retrieve"),
        ({"code": "x"}, 400, "ids separated by commas"),
        ({"code": str(foreign.id)}, 404, f"Code {foreign.id} not found in this project."),
        ({"code": ids(study, "theme"), "source": "everything"}, 400, "source"),
        ({"code": ids(study, "theme"), "page": 9}, 404, "page 9 does not exist"),
    ]
    for params, status, message in cases:
        response = get(study, **params)
        assert response.status_code == status, params
        assert message in str(response.json()), params
    assert get(study, path="passages/export.pdf", code=ids(study, "theme")).status_code == 404


@pytest.mark.parametrize(("user", "status"), [("outsider", 404), (None, 401)])
def test_non_members_see_nothing(study, user, status):
    assert get(study, user, code=ids(study, "theme")).status_code == status
    assert get(study, user, path="passages/export.md", code=ids(study, "theme")).status_code == status
