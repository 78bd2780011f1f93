"""The secondary-pass API: opening one (owners), the links both ways, and bad input answered with a 4xx that
says what to fix and changes nothing."""

import pytest
from rest_framework.test import APIClient

from annotate.audit.models import AuditEvent
from annotate.passes.models import SecondaryPass
from annotate.projects.models import Project
from tests.factories import ProjectFactory, make_code

pytestmark = pytest.mark.django_db


def client(study, user="owner"):
    api = APIClient()
    api.force_authenticate(study.users[user])
    return api


def url(project_id):
    return f"/api/v1/projects/{project_id}/secondary-passes/"


def test_the_owner_opens_a_pass_and_both_projects_show_the_link(study):
    named = study.codes["named"]
    response = client(study).post(
        url(study.project.id),
        {
            "code": str(named.id),
            "source": "coders",
            "name": "What harm reduction means",
            "members": [study.users["coder"].id],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    child = body["project"]
    assert body == {
        "id": SecondaryPass.objects.get(project_id=child).id,
        "project": child,
        "name": "What harm reduction means",
        "parent_project": study.project.id,
        "parent_code": named.id,
        "query": "Harm reduction theme > Named",
        "source": "coders",
        "passages": 2,
    }
    listed = client(study, "coder").get(url(study.project.id)).json()
    assert listed["parent"] is None
    assert [(p["project"]["id"], p["parent_code"]["path"], p["member"]) for p in listed["passes"]] == [
        (child, "Harm reduction theme > Named", True)
    ]
    # A member of the parent who was not brought in sees the pass, not a way into it.
    assert client(study, "coder2").get(url(study.project.id)).json()["passes"][0]["member"] is False
    assert client(study, "coder2").get(url(child)).status_code == 404
    link = client(study, "coder").get(url(child)).json()
    assert link["passes"] == []
    assert link["parent"]["parent_project"] == {"id": study.project.id, "name": study.project.name}
    assert link["parent"]["parent_code"] == {"id": named.id, "path": "Harm reduction theme > Named"}
    # The pass's own machinery: its codebook is empty and its passages are its transcripts.
    owner = client(study)
    assert owner.get(f"/api/v1/projects/{child}/codebook/").json()["codes"] == []
    documents = owner.get(f"/api/v1/projects/{child}/documents/").json()
    assert sorted(d["title"] for d in documents["results"]) == sorted(
        study.documents[c].title for c in ("P01", "P02")
    )


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"source": "coders"}, 400, "Start a secondary pass from a code: code=<id>."),
        ({"code": "x"}, 400, None),
        ({"code": "{named}"}, 400, "has no passages in the final coding"),  # nothing adjudicated yet
        ({"code": "{named}", "source": "nope"}, 400, None),
        ({"code": "{named}", "source": "coders", "name": "n" * 201}, 400, None),
        (
            {"code": "{named}", "source": "coders", "members": [999_999]},
            400,
            "are not members of this project",
        ),
        ({"code": "{elsewhere}", "source": "coders"}, 404, "not found in this project"),
    ],
)
def test_bad_input_changes_nothing(study, body, status, detail):
    owner = study.users["owner"]
    elsewhere = make_code(ProjectFactory(creator=owner), owner, name="Elsewhere")
    ids = {"named": study.codes["named"].id, "elsewhere": elsewhere.id}
    body = {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
    projects, events = Project.objects.count(), AuditEvent.objects.count()
    response = client(study).post(url(study.project.id), body, format="json")
    assert response.status_code == status, response.content
    if detail is not None:
        assert detail in str(response.json())
    assert (Project.objects.count(), AuditEvent.objects.count()) == (projects, events)


def test_a_double_request_is_refused_with_the_pass_it_found(study):
    body = {"code": str(study.codes["named"].id), "source": "coders", "name": "Meanings"}
    first = client(study).post(url(study.project.id), body, format="json")
    assert first.status_code == 201
    second = client(study).post(url(study.project.id), body, format="json")
    assert second.status_code == 409
    assert "already has a secondary pass called 'Meanings'" in second.json()["detail"]
    assert SecondaryPass.objects.count() == 1


def test_only_owners_open_a_pass_and_outsiders_see_nothing(study):
    body = {"code": str(study.codes["named"].id), "source": "coders"}
    for role in ("adjudicator", "coder", "viewer"):
        assert client(study, role).post(url(study.project.id), body, format="json").status_code == 403
    assert client(study, "outsider").post(url(study.project.id), body, format="json").status_code == 404
    assert client(study, "outsider").get(url(study.project.id)).status_code == 404
    assert not SecondaryPass.objects.exists()
