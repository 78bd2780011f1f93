import datetime as dt

import pytest
from django.utils import timezone

from annotate.cases.services import case_create
from tests.factories import ProjectFactory, UserFactory


@pytest.fixture
def project(db):
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    for i in range(3):
        case_create(project=project, actor=owner, identifier=f"P{i}")
    return project


def test_owner_filters_the_trail_by_action_object_actor_and_time(project, api_client_for):
    client = api_client_for(project.created_by)
    url = f"/api/v1/projects/{project.id}/audit/"
    everything = client.get(url).json()
    assert everything["count"] >= 6
    sequences = [e["sequence"] for e in everything["results"]]
    assert sequences == sorted(sequences, reverse=True)  # newest first

    cases = client.get(url, {"action": "case.create"}).json()
    assert cases["count"] == 3
    assert {e["after"]["identifier"] for e in cases["results"]} == {"P0", "P1", "P2"}
    one = cases["results"][0]
    by_object = client.get(url, {"object_type": one["object_type"], "object_id": one["object_id"]}).json()
    assert [e["id"] for e in by_object["results"]] == [one["id"]]
    assert client.get(url, {"actor": project.created_by.pk}).json()["count"] == everything["count"]
    assert client.get(url, {"actor": 987654}).json()["count"] == 0

    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert client.get(url, {"since": future}).json()["count"] == 0
    assert client.get(url, {"until": future}).json()["count"] == everything["count"]
    page = client.get(url, {"page_size": 2}).json()
    assert len(page["results"]) == 2
    assert page["next"]


def test_bad_filters_are_400(project, api_client_for):
    client = api_client_for(project.created_by)
    response = client.get(f"/api/v1/projects/{project.id}/audit/", {"since": "yesterday-ish"})
    assert response.status_code == 400
    assert "since" in response.json()["detail"]
