"""Code usage (the Codebook tab's counts, the reader's number keys): counts checked against the database,
and the blind-coding rule per role and source."""

import pytest
from django.utils import timezone

from annotate.coding.models import Coding
from annotate.projects.models import Project, Role
from tests.annotate.exports.conftest import build_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(project_with_members):
    project, users = project_with_members
    return build_study(project, users)


def usage(client, project_id, **params):
    return client.get(f"/api/v1/projects/{project_id}/codebook/usage/", params)


def by_code(body):
    return {row["code"]: row for row in body["codes"]}


def test_every_coders_codings_counted_per_code_and_rolled_up_to_the_theme(study, api_client_for):
    response = usage(api_client_for(study.users[Role.OWNER]), study.project.id)
    assert response.status_code == 200
    body = response.json()
    assert (body["source"], body["cases_total"], body["documents_total"]) == ("coders", 2, 2)
    rows = by_code(body)
    theme, child, health = study.ids["theme"], study.ids["child"], study.ids["health"]
    for code_id, row in rows.items():
        codings = Coding.objects.filter(code_id=code_id)
        assert row["codings"] == codings.count()
        assert row["segments"] == codings.values("segment_id").distinct().count()
        assert row["cases"] == codings.values("segment__document__case_id").distinct().count()
    # Naloxone twice on one segment (two coders); the theme once on another segment of the same case.
    assert (rows[child]["codings"], rows[child]["segments"], rows[child]["cases"]) == (2, 1, 1)
    assert (rows[theme]["codings"], rows[theme]["codings_with_children"]) == (1, 3)
    assert (rows[theme]["cases"], rows[theme]["cases_with_children"]) == (1, 1)
    assert (rows[health]["cases"], rows[health]["documents"]) == (1, 1)


def test_a_coder_counts_their_own_codings_and_the_final_coding(study, api_client_for):
    coder = study.users[Role.CODER]
    mine = usage(api_client_for(coder), study.project.id).json()
    assert mine["source"] == "mine"
    assert sum(row["codings"] for row in mine["codes"]) == Coding.objects.filter(coder=coder).count() == 2
    final = by_code(usage(api_client_for(study.users[Role.VIEWER]), study.project.id).json())
    assert final[study.ids["child"]]["codings"] == 1  # the one decided unit's final coding
    assert sum(row["codings"] for row in final.values()) == 1


@pytest.mark.parametrize(
    ("role", "source", "before", "after"),
    [
        (Role.OWNER, "coders", 200, 200),
        (Role.ADJUDICATOR, "coders", 200, 200),
        (Role.CODER, "coders", 403, 200),
        (Role.CODER, "mine", 200, 200),
        (Role.VIEWER, "final", 200, 200),
        (Role.VIEWER, "coders", 403, 200),
        ("outsider", "mine", 404, 404),
    ],
)
def test_coders_and_viewers_count_others_codings_only_after_release(
    study, api_client_for, role, source, before, after
):
    client = api_client_for(study.users[role])
    response = usage(client, study.project.id, source=source)
    assert response.status_code == before
    if before == 403:
        assert "release" in response.json()["detail"]
    Project.objects.filter(pk=study.project.pk).update(codings_released_at=timezone.now())
    assert usage(client, study.project.id, source=source).status_code == after


def test_an_unknown_source_is_refused_with_the_choices(study, api_client_for):
    response = usage(api_client_for(study.users[Role.OWNER]), study.project.id, source="everyone")
    assert response.status_code == 400
    assert "source" in response.json()["fields"]
