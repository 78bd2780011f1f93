"""The dashboard's pulse: the same tag (and 304) while nothing changed; a new one after a coding, a
submitted unit or a finished run."""

import pytest

from annotate.analysis.models import AgreementRun
from annotate.coding.services import coding_create
from annotate.core.models import JobStatus
from annotate.projects.models import Role
from tests.factories import make_code, make_document

pytestmark = pytest.mark.django_db


def test_the_pulse_changes_with_the_record_and_the_runs(project_with_members, api_client_for):
    project, users = project_with_members
    owner = users[Role.OWNER]
    document = make_document(project, owner, text="P01: naloxone.")
    code = make_code(project, owner, name="Harm reduction")
    client = api_client_for(owner)
    url = f"/api/v1/projects/{project.id}/analysis/pulse/"

    first = client.get(url)
    assert first.status_code == 200
    tag = first["ETag"]
    assert first.json()["pulse"] == tag.strip('"')
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert unchanged.status_code == 304

    coding_create(project_id=project.id, coder=owner, segment=document.segments.first(), code=code)
    after_coding = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert after_coding.status_code == 200
    assert after_coding["ETag"] != tag

    run = AgreementRun.objects.create(project=project, status=JobStatus.RUNNING)
    running = client.get(url)["ETag"]
    assert running != after_coding["ETag"]
    AgreementRun.objects.filter(pk=run.pk).update(status=JobStatus.DONE, finished_at=run.created_at)
    assert client.get(url)["ETag"] != running


@pytest.mark.parametrize(("role", "status"), [(Role.ADJUDICATOR, 200), (Role.CODER, 403), ("outsider", 404)])
def test_only_analysts_feel_the_pulse(project_with_members, api_client_for, role, status):
    project, users = project_with_members
    assert (
        api_client_for(users[role]).get(f"/api/v1/projects/{project.id}/analysis/pulse/").status_code
        == status
    )
