"""Case attributes from a CSV (POST …/cases/import): typed columns, cases created or updated, all rows or
none, an audit event for every change."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotate.audit.models import AuditEvent
from annotate.cases.models import AttributeDefinition, AttributeValue, Case
from annotate.projects.models import Role
from tests.factories import make_case

CSV = (
    b"participant_id,role,years_in_office,elected,region,notes\n"
    b"P01,elected prosecutor,5,2016-11-08,West,likes dogs\n"
    b"P02,policy staff,2.5,,South,\n"
)
TYPES = {"role": "choice", "years_in_office": "number", "elected": "date", "region": "text"}


def post(client, project, data=CSV, **fields):
    body = {"file": SimpleUploadedFile("cases.csv", data), "column_types": json.dumps(TYPES)}
    body.update({k: json.dumps(v) if isinstance(v, dict) else v for k, v in fields.items()})
    return client.post(f"/api/v1/projects/{project.id}/cases/import", body, format="multipart")


def values_of(identifier):
    case = Case.objects.get(identifier=identifier)
    return {v.attribute.name: v.value for v in case.attribute_values.select_related("attribute")}


def test_creates_cases_and_attributes_with_audit_events(project_with_members, api_client_for):
    project, users = project_with_members
    events = AuditEvent.objects.filter(project=project).count()
    response = post(api_client_for(users[Role.OWNER]), project)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "created": ["P01", "P02"],
        "updated": [],
        "unchanged": [],
        "attributes_defined": ["role", "years_in_office", "elected", "region"],
        "ignored_columns": ["notes"],
    }
    role = AttributeDefinition.objects.get(project=project, name="role")
    assert (role.type, role.choices) == ("choice", ["elected prosecutor", "policy staff"])
    p01 = values_of("P01")
    assert p01["years_in_office"] == 5.0
    assert p01["elected"].isoformat() == "2016-11-08"
    assert "elected" not in values_of("P02")  # an empty cell is a missing value
    actions = list(
        AuditEvent.objects.filter(project=project)
        .order_by("sequence")[events:]
        .values_list("action", flat=True)
    )
    assert actions == ["attribute.create"] * 4 + ["case.create"] * 2


def test_updates_existing_cases_and_leaves_blank_cells_alone(project_with_members, api_client_for):
    project, users = project_with_members
    client = api_client_for(users[Role.OWNER])
    assert post(client, project).status_code == 200
    changed = (
        CSV.replace(b"P02,policy staff,2.5,,South,", b"P02,policy staff,3,,,")
        + b"P03,policy staff,1,,East,\n"
    )
    events = AuditEvent.objects.filter(project=project).count()
    response = post(client, project, changed)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (["P03"], ["P02"], ["P01"])
    assert values_of("P02")["years_in_office"] == 3.0
    assert values_of("P02")["region"] == "South"  # blank: kept, not erased
    actions = AuditEvent.objects.filter(project=project).order_by("sequence")[events:]
    assert [e.action for e in actions] == ["case.update", "case.create"]


def test_one_bad_row_imports_nothing_and_lists_every_problem(project_with_members, api_client_for):
    project, users = project_with_members
    make_case(project, users[Role.OWNER], identifier="P01")
    bad = CSV + b"P03,policy staff,1,1,234,x\nP04,policy staff,many,03/04/2021,North,\n"
    before = (Case.objects.count(), AttributeValue.objects.count(), AuditEvent.objects.count())
    response = post(api_client_for(users[Role.OWNER]), project, bad)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("cases.csv: 3 problem(s) in the case attributes; correct them")
    assert body["problems"] == [
        "Row 4, column 'elected': '1' is not a date written like 2021-11-08.",
        "Row 5, column 'years_in_office': 'many' is not a number.",
        "Row 5, column 'elected': '03/04/2021' is not a date written like 2021-11-08.",
    ]
    assert (Case.objects.count(), AttributeValue.objects.count(), AuditEvent.objects.count()) == before


def test_a_value_outside_an_existing_choice_rolls_back_every_row(project_with_members, api_client_for):
    project, users = project_with_members
    client = api_client_for(users[Role.OWNER])
    assert post(client, project).status_code == 200
    before = (Case.objects.count(), AttributeValue.objects.count(), AuditEvent.objects.count())
    more = CSV.replace(b"P02,policy staff", b"P02,judge") + b"P05,policy staff,1,,East,\n"
    response = post(client, project, more)
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "cases.csv: row 3 (P02): Attribute 'role' must be one of elected prosecutor, policy staff; got 'judge'. "
        "Nothing was imported."
    )
    assert (Case.objects.count(), AttributeValue.objects.count(), AuditEvent.objects.count()) == before


def test_a_type_that_contradicts_the_project_is_refused(project_with_members, api_client_for):
    project, users = project_with_members
    client = api_client_for(users[Role.OWNER])
    assert post(client, project).status_code == 200
    response = post(client, project, b"participant_id,region\nP01,3\n", column_types={"region": "number"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "Column 'region' is imported as number, but the project's attribute 'region' is text."
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"column_types": {"role": "colour"}}, "Unknown type 'colour' for column 'role'."),
        ({"column_types": "[]"}, "Give a JSON object of column → type"),
        ({"id_column": "pid"}, "pid"),
    ],
)
def test_bad_requests_are_a_400(project_with_members, api_client_for, fields, message):
    project, users = project_with_members
    response = post(api_client_for(users[Role.OWNER]), project, **fields)
    assert response.status_code == 400, response.json()
    assert message in response.json()["detail"]
    assert not Case.objects.filter(project=project).exists()


def test_empty_file_is_a_400(project_with_members, api_client_for):
    project, users = project_with_members
    response = post(api_client_for(users[Role.OWNER]), project, b"")
    assert response.status_code == 400
    assert response.json()["detail"] == "cases.csv: The file is empty. Check that you chose the right file."


@pytest.mark.parametrize(
    ("who", "expected"),
    [(Role.OWNER, 200), (Role.CODER, 403), (Role.VIEWER, 403), ("outsider", 404), (None, 401)],
)
def test_only_owners_import_cases(project_with_members, api_client_for, who, expected):
    project, users = project_with_members
    assert post(api_client_for(users[who] if who else None), project).status_code == expected
