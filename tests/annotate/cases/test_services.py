"""Case and attribute services: typed values, unique identifiers, and an audit event with before/after
committed with each change (or not at all)."""

from unittest import mock

import pytest

from annotate.cases.models import AttributeDefinition, AttributeValue, Case
from annotate.cases.services import attribute_define, case_create, case_delete, case_update
from annotate.core.exceptions import ApplicationError
from tests.annotate.db import audit_mark, audit_since
from tests.factories import ProjectFactory, UserFactory, make_document


@pytest.fixture
def project(db):
    return ProjectFactory(creator=UserFactory(username="pi"))


@pytest.fixture
def owner(project):
    return project.created_by


@pytest.fixture
def attributes(project, owner):
    attribute_define(
        project=project, actor=owner, name="role", type="choice", choices=["prosecutor", "staff"]
    )
    attribute_define(project=project, actor=owner, name="years in office", type="number")
    attribute_define(project=project, actor=owner, name="interviewed", type="date")


def test_attribute_define_records_the_definition(project, owner):
    mark = audit_mark()
    definition = attribute_define(project=project, actor=owner, name=" region ", type="text")
    (event,) = audit_since(mark)
    assert event.action == "attribute.create"
    assert event.after == {
        "id": definition.id,
        "name": "region",
        "type": "text",
        "choices": [],
        "position": 0,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"name": "role", "type": "choice"},
            "Attribute 'role' is a choice: list its allowed values in 'choices'.",
        ),
        (
            {"name": "age", "type": "number", "choices": ["1"]},
            "Only choice attributes take 'choices'; 'age' is number.",
        ),
        ({"name": "role", "type": "choice", "choices": ["a", "a"]}, "Attribute 'role' lists a choice twice."),
        (
            {"name": "mood", "type": "colour"},
            "Unknown attribute type 'colour'; use one of text, number, date, choice.",
        ),
    ],
)
def test_attribute_define_refuses_an_inconsistent_definition(project, owner, kwargs, message):
    mark = audit_mark()
    with pytest.raises(ApplicationError) as refused:
        attribute_define(project=project, actor=owner, **kwargs)
    assert refused.value.message == message
    assert not AttributeDefinition.objects.filter(project=project).exists()
    assert audit_since(mark) == []


def test_attribute_names_are_unique_in_a_project(project, owner):
    attribute_define(project=project, actor=owner, name="region", type="text")
    with pytest.raises(ApplicationError, match="already has an attribute called 'region'") as refused:
        attribute_define(project=project, actor=owner, name="region", type="number")
    assert refused.value.status == 409


def test_case_create_stores_typed_values_and_records_them(project, owner, attributes):
    mark = audit_mark()
    case = case_create(
        project=project,
        actor=owner,
        identifier=" P07 ",
        attributes={"role": "prosecutor", "years in office": "12", "interviewed": "2021-11-03"},
    )
    (event,) = audit_since(mark)
    assert event.action == "case.create"
    assert event.after == {
        "id": case.id,
        "identifier": "P07",
        "description": "",
        "attributes": {"interviewed": "2021-11-03", "role": "prosecutor", "years in office": 12.0},
    }
    stored = {v.attribute.name: v.value for v in case.attribute_values.select_related("attribute")}
    assert stored["years in office"] == 12.0
    assert str(stored["interviewed"]) == "2021-11-03"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"role": "judge"}, "Attribute 'role' must be one of prosecutor, staff; got 'judge'."),
        ({"years in office": "many"}, "Attribute 'years in office' is a number; 'many' is not one."),
        ({"years in office": True}, "Attribute 'years in office' is a number; got True."),
        ({"years in office": "inf"}, "Attribute 'years in office' must be a finite number; got 'inf'."),
        (
            {"interviewed": "03/11/2021"},
            "Attribute 'interviewed' is a date; write '03/11/2021' as YYYY-MM-DD.",
        ),
        ({"region": "Midwest"}, "Unknown attribute(s): region; define them first."),
    ],
)
def test_a_value_that_does_not_fit_leaves_no_case_and_no_event(project, owner, attributes, values, message):
    mark = audit_mark()
    with pytest.raises(ApplicationError) as refused:
        case_create(project=project, actor=owner, identifier="P07", attributes=values)
    assert refused.value.message == message
    assert not Case.objects.filter(project=project).exists()
    assert not AttributeValue.objects.exists()
    assert audit_since(mark) == []


def test_a_case_identifier_is_unique(project, owner):
    case_create(project=project, actor=owner, identifier="P07")
    with pytest.raises(ApplicationError, match="already has a case 'P07'") as refused:
        case_create(project=project, actor=owner, identifier="P07 ")
    assert refused.value.status == 409


def test_case_update_records_before_and_after(project, owner, attributes):
    case = case_create(project=project, actor=owner, identifier="P07", attributes={"role": "staff"})
    mark = audit_mark()
    case_update(case=case, actor=owner, data={"identifier": "P08", "attributes": {"role": "prosecutor"}})
    (event,) = audit_since(mark)
    assert event.action == "case.update"
    assert (event.before["identifier"], event.before["attributes"]) == ("P07", {"role": "staff"})
    assert (event.after["identifier"], event.after["attributes"]) == ("P08", {"role": "prosecutor"})


def test_case_update_clears_a_value_given_as_empty(project, owner, attributes):
    case = case_create(project=project, actor=owner, identifier="P07", attributes={"role": "staff"})
    case_update(case=case, actor=owner, data={"attributes": {"role": ""}})
    assert not case.attribute_values.exists()


def test_case_update_that_changes_nothing_records_nothing(project, owner):
    case = case_create(project=project, actor=owner, identifier="P07")
    mark = audit_mark()
    case_update(case=case, actor=owner, data={"identifier": "P07", "description": ""})
    assert audit_since(mark) == []


def test_case_update_cannot_take_another_cases_identifier(project, owner):
    case_create(project=project, actor=owner, identifier="P07")
    case = case_create(project=project, actor=owner, identifier="P08")
    with pytest.raises(ApplicationError, match="already has a case 'P07'"):
        case_update(case=case, actor=owner, data={"identifier": "P07"})
    case.refresh_from_db()
    assert case.identifier == "P08"


def test_a_failed_audit_write_rolls_back_the_identifier_and_the_values(project, owner, attributes):
    case = case_create(project=project, actor=owner, identifier="P07", attributes={"role": "staff"})
    with (
        mock.patch("annotate.audit.services._append", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        case_update(case=case, actor=owner, data={"identifier": "P08", "attributes": {"role": "prosecutor"}})
    case.refresh_from_db()
    assert case.identifier == "P07"
    assert case.attribute_values.get().text_value == "staff"


def test_case_delete_records_what_was_deleted(project, owner, attributes):
    case = case_create(project=project, actor=owner, identifier="P07", attributes={"years in office": 3})
    mark = audit_mark()
    case_delete(case=case, actor=owner)
    (event,) = audit_since(mark)
    assert event.action == "case.delete"
    assert event.before["attributes"] == {"years in office": 3.0}
    assert event.after is None
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not AttributeValue.objects.exists()


def test_a_case_with_transcripts_cannot_be_deleted(project, owner):
    case = case_create(project=project, actor=owner, identifier="P07")
    make_document(project, owner, case=case)
    mark = audit_mark()
    with pytest.raises(ApplicationError, match="This case has transcripts") as refused:
        case_delete(case=case, actor=owner)
    assert refused.value.status == 409
    assert Case.objects.filter(pk=case.pk).exists()
    assert audit_since(mark) == []
