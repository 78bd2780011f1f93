"""Two requests for the same secondary pass at once (a double click, two tabs), with real threads on
PostgreSQL: both queue on the parent project's row; the first opens the pass, the second gets 409 naming
it. Never two passes, never a 500."""

import pytest

from annotate.passes.models import SecondaryPass
from tests.annotate.core.test_locks import RowHolder, _race
from tests.annotate.explore.conftest import build_study

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_requests_for_one_pass_open_it_once(api_client_for):
    study = build_study()
    client = api_client_for(study.users["owner"])
    url = f"/api/v1/projects/{study.project.id}/secondary-passes/"
    body = {"code": str(study.codes["theme"].id), "source": "coders", "name": "Meanings"}
    holder = RowHolder("projects_project", study.project.id)
    first, second = _race(
        holder,
        lambda: client.post(url, body, format="json"),
        lambda: client.post(url, body, format="json"),
    )
    assert first.status_code == 201, first.content
    assert second.status_code == 409, second.content
    assert f"(project {first.json()['project']})" in second.json()["detail"]
    assert SecondaryPass.objects.count() == 1
