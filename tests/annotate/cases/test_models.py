"""What the database refuses for cases and their typed attributes, whatever the services do."""

import datetime as dt

import pytest

from annotate.cases.models import AttributeDefinition, AttributeValue, Case
from tests.annotate.db import constraints_immediate, rejected
from tests.factories import ProjectFactory, UserFactory


@pytest.fixture
def project(db):
    constraints_immediate()
    return ProjectFactory(creator=UserFactory(username="pi"))


@pytest.fixture
def case(project):
    return Case.objects.create(project=project, identifier="P01")


@pytest.fixture
def years(project):
    return AttributeDefinition.objects.create(project=project, name="years in office", type="number")


def test_a_case_identifier_is_unique_in_its_project(project, case):
    with rejected("case_identifier_unique_in_project"):
        Case.objects.create(project=project, identifier="P01")
    other = ProjectFactory(creator=project.created_by)
    Case.objects.create(project=other, identifier="P01")  # another project may reuse it


def test_a_case_has_an_identifier(project):
    with rejected("case_identifier_not_empty"):
        Case.objects.create(project=project, identifier="")


@pytest.mark.parametrize(
    "columns",
    [
        pytest.param({}, id="none"),
        pytest.param({"text_value": "12", "number_value": 12.0}, id="text+number"),
        pytest.param({"number_value": 12.0, "date_value": dt.date(2021, 11, 1)}, id="number+date"),
        pytest.param({"text_value": "x", "date_value": dt.date(2021, 11, 1)}, id="text+date"),
        pytest.param(
            {"text_value": "x", "number_value": 1.0, "date_value": dt.date(2021, 11, 1)}, id="all-three"
        ),
    ],
)
def test_an_attribute_value_sets_exactly_one_column(case, years, columns):
    with rejected("attribute_value_exactly_one_column"):
        AttributeValue.objects.create(case=case, attribute=years, **columns)


@pytest.mark.parametrize(
    "columns",
    [{"text_value": ""}, {"number_value": 0.0}, {"date_value": dt.date(2021, 11, 1)}],
    ids=["empty-text", "zero", "date"],
)
def test_one_column_is_accepted_even_when_falsy(case, years, columns):
    value = AttributeValue.objects.create(case=case, attribute=years, **columns)
    stored = AttributeValue.objects.filter(pk=value.pk).values(*columns).get()
    assert stored == columns


def test_an_update_cannot_clear_the_value_column(case, years):
    value = AttributeValue.objects.create(case=case, attribute=years, number_value=12.0)
    with rejected("attribute_value_exactly_one_column"):
        AttributeValue.objects.filter(pk=value.pk).update(number_value=None)


def test_a_case_has_one_value_per_attribute(case, years):
    AttributeValue.objects.create(case=case, attribute=years, number_value=12.0)
    with rejected("attribute_value_one_per_case"):
        AttributeValue.objects.create(case=case, attribute=years, number_value=4.0)


def test_an_attribute_name_is_unique_in_its_project(project, years):
    with rejected("attribute_name_unique_in_project"):
        AttributeDefinition.objects.create(project=project, name="years in office", type="text")


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"name": "", "type": "text"}, "attribute_name_not_empty"),
        ({"name": "colour", "type": "colour"}, "attribute_type_valid"),
    ],
)
def test_an_attribute_has_a_name_and_a_known_type(project, fields, constraint):
    with rejected(constraint):
        AttributeDefinition.objects.create(project=project, **fields)
