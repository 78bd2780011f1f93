"""Versions and their diffs: computed from two immutable snapshots, through the API as a member sees it."""

import pytest

from annotate.codebook.diff import codebook_diff, snapshot_annotate
from annotate.codebook.selectors import codebook_get
from annotate.codebook.services import code_merge, code_split, code_update
from annotate.projects.models import Role
from tests.factories import make_code


def code(id, name, parent=None, **fields):
    return {
        "id": id,
        "name": name,
        "parent": parent,
        "definition": "",
        "colour": "#4e79a7",
        "is_active": True,
        "position": 0,
        "merged_into": None,
        "split_from": None,
        **fields,
    }


def test_an_identical_snapshot_has_an_empty_diff():
    snapshot = [code(1, "Harm"), code(2, "Naloxone", parent=1)]
    assert all(value == [] for value in codebook_diff(snapshot, snapshot).values())


def test_the_diff_names_every_kind_of_change():
    old = [
        code(1, "Harm"),
        code(2, "Naloxone", parent=1, definition="Old."),
        code(3, "Health"),
        code(4, "Diversion"),
        code(5, "Police"),
        code(6, "Gone"),
        code(7, "Retired", is_active=False),
    ]
    new = [
        code(1, "Harm"),
        code(2, "Naloxone", parent=3, definition="New.", colour="#000000"),
        code(3, "Health"),
        code(4, "Diversion", is_active=False, merged_into=1),
        code(5, "Police", is_active=False),
        code(7, "Retired"),
        code(8, "Kits", parent=2, split_from=2),
        code(9, "Training", parent=2, split_from=2),
    ]

    diff = codebook_diff(old, new)

    assert diff["added"] == [
        {"id": 8, "name": "Kits", "path": "Health > Naloxone > Kits"},
        {"id": 9, "name": "Training", "path": "Health > Naloxone > Training"},
    ]
    assert diff["removed"] == [{"id": 6, "name": "Gone", "path": "Gone"}]
    assert diff["changed"] == [
        {
            "id": 2,
            "name": "Naloxone",
            "path": "Health > Naloxone",
            "fields": {
                "definition": {"from": "Old.", "to": "New."},
                "colour": {"from": "#4e79a7", "to": "#000000"},
            },
        }
    ]
    assert diff["moved"] == [
        {
            "id": 2,
            "name": "Naloxone",
            "path": "Health > Naloxone",
            "from_parent": 1,
            "to_parent": 3,
            "from_path": "Harm > Naloxone",
            "to_path": "Health > Naloxone",
        }
    ]
    assert diff["merged"] == [
        {
            "code": {"id": 4, "name": "Diversion", "path": "Diversion"},
            "into": {"id": 1, "name": "Harm", "path": "Harm"},
        }
    ]
    assert diff["deactivated"] == [{"id": 5, "name": "Police", "path": "Police"}], (
        "a merge is not also listed"
    )
    assert diff["reactivated"] == [{"id": 7, "name": "Retired", "path": "Retired"}]
    assert diff["split"] == [
        {
            "code": {"id": 2, "name": "Naloxone", "path": "Health > Naloxone"},
            "into": [
                {"id": 8, "name": "Kits", "path": "Health > Naloxone > Kits"},
                {"id": 9, "name": "Training", "path": "Health > Naloxone > Training"},
            ],
        }
    ]
    assert codebook_diff(new, old)["added"] == [{"id": 6, "name": "Gone", "path": "Gone"}], (
        "diffs run both ways"
    )


def test_snapshots_from_before_merge_and_split_existed_still_diff():
    current = code(1, "Harm", guid="2539db55-5217-45cb-adbe-14eaa1f27da4")
    legacy = {k: v for k, v in current.items() if k not in ("guid", "merged_into", "split_from")}
    assert all(value == [] for value in codebook_diff([legacy], [current]).values())
    assert snapshot_annotate([legacy])[0]["path"] == "Harm"


def test_an_annotated_snapshot_shows_split_into():
    annotated = snapshot_annotate([code(1, "Harm"), code(2, "A", parent=1, split_from=1)])
    assert [(c["path"], c["split_into"]) for c in annotated] == [("Harm", [2]), ("Harm > A", [])]


# --- through the API ----------------------------------------------------------------------------------


@pytest.fixture
def history(project_with_members):
    """v1 empty; v2 +Harm; v3 +Health; v4 +Police; v5 Harm's definition; v6 Police merged into Health;
    v7 Harm split into two sub-codes."""
    project, users = project_with_members
    owner = users[Role.OWNER]
    harm = make_code(project, owner, name="Harm")
    health = make_code(project, owner, name="Health")
    police = make_code(project, owner, name="Police")
    code_update(code=harm, actor=owner, data={"definition": "Harms of drug use."}, rationale="Sharper.")
    code_merge(code=police, target=health, actor=owner, rationale="Police is a health matter here.")
    code_split(
        code=harm,
        actor=owner,
        new_codes=[{"name": "To users"}, {"name": "To others"}],
        rationale="Two kinds.",
    )
    assert codebook_get(project_id=project.id).versions.count() == 7
    return project, users, {"harm": harm.pk, "health": health.pk, "police": police.pk}


def test_a_version_returns_its_snapshot_with_paths(history, api_client_for):
    project, users, ids = history
    response = api_client_for(users[Role.VIEWER]).get(f"/api/v1/projects/{project.id}/codebook/versions/7/")
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["created_by"], body["rationale"]) == (7, "owner", "Two kinds.")
    by_name = {c["name"]: c for c in body["codes"]}
    assert by_name["Police"]["merged_into"] == ids["health"]
    assert by_name["To users"]["path"] == "Harm > To users"
    assert sorted(by_name["Harm"]["split_into"]) == sorted(
        [by_name["To users"]["id"], by_name["To others"]["id"]]
    )
    first = (
        api_client_for(users[Role.VIEWER]).get(f"/api/v1/projects/{project.id}/codebook/versions/1/").json()
    )
    assert first["codes"] == []


def test_the_diff_endpoint_shows_merge_split_and_edits(history, api_client_for):
    project, users, ids = history
    client = api_client_for(users[Role.CODER])
    response = client.get(f"/api/v1/projects/{project.id}/codebook/versions/4/diff/7")
    assert response.status_code == 200, response.content
    diff = response.json()
    assert (diff["from"], diff["to"]) == (4, 7)
    assert diff["merged"] == [
        {
            "code": {"id": ids["police"], "name": "Police", "path": "Police"},
            "into": {"id": ids["health"], "name": "Health", "path": "Health"},
        }
    ]
    assert [c["name"] for c in diff["split"][0]["into"]] == ["To users", "To others"]
    assert diff["split"][0]["code"]["id"] == ids["harm"]
    assert diff["changed"] == [
        {
            "id": ids["harm"],
            "name": "Harm",
            "path": "Harm",
            "fields": {"definition": {"from": "", "to": "Harms of drug use."}},
        }
    ]
    assert diff["deactivated"] == []
    assert diff["removed"] == []


@pytest.mark.parametrize("path", ["versions/99/", "versions/1/diff/99", "versions/99/diff/1"])
def test_a_missing_version_is_404(history, api_client_for, path):
    project, users, _ = history
    response = api_client_for(users[Role.OWNER]).get(f"/api/v1/projects/{project.id}/codebook/{path}")
    assert response.status_code == 404
    assert response.json() == {"detail": "The codebook has no version 99."}
