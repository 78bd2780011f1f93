"""Case attributes from a CSV: typed columns, and errors that name the row and the column."""

import datetime

import pytest

from annotate.parsing import AttributeType, ImportFileError, parse_case_attributes

CASES = (
    "participant_id,role,region,years_in_office,interview_date,notes\n"
    "P01,Elected prosecutor,Midwest,5,2021-11-08,first\n"
    "P02,Policy staff,Midwest,4.5,2021-11-12,\n"
    "\n"
    "P03,Elected prosecutor,Northeast,,2021-11-19,third\n"
)
TYPES = {
    "role": "choice",
    "region": "text",
    "years_in_office": "number",
    "interview_date": AttributeType.DATE,
}


def test_typed_values():
    table = parse_case_attributes(CASES.encode(), "cases.csv", column_types=TYPES)
    assert [case.participant_id for case in table.cases] == ["P01", "P02", "P03"]
    assert table.cases[0].values == {
        "role": "Elected prosecutor",
        "region": "Midwest",
        "years_in_office": 5,
        "interview_date": datetime.date(2021, 11, 8),
    }
    assert table.cases[1].values["years_in_office"] == 4.5
    assert table.cases[2].values["years_in_office"] is None
    assert table.cases[2].row == 5  # the blank line is row 4, as in a spreadsheet
    assert table.choices == {"role": ["Elected prosecutor", "Policy staff"]}
    assert table.ignored_columns == ["notes"]
    assert table.to_dict()["cases"][0]["values"]["interview_date"] == "2021-11-08"


def test_every_bad_cell_is_reported_with_row_and_column():
    data = (
        b"participant_id,role,years_in_office,interview_date\n"
        b"P01,Elected prosecutor,five,2021-11-08\n"
        b"P02,policy staff,1,08/11/2021\n"
        b",Policy staff,3,2021-11-08\n"
        b"P01,Policy staff,3,2021-11-08\n"
    )
    with pytest.raises(ImportFileError) as info:
        parse_case_attributes(
            data,
            "cases.csv",
            column_types={"role": "choice", "years_in_office": "number", "interview_date": "date"},
            choices={"role": ["Elected prosecutor", "Policy staff"]},
        )
    assert info.value.problems == (
        "Row 2, column 'years_in_office': 'five' is not a number.",
        "Row 3, column 'role': 'policy staff' is not one of the choices. Did you mean 'Policy staff'?",
        "Row 3, column 'interview_date': '08/11/2021' is not a date written like 2021-11-08.",
        "Row 4, column 'participant_id': the participant id is missing.",
        "Row 5, column 'participant_id': participant 'P01' already appears on row 2.",
    )
    assert info.value.message.startswith(
        "5 problem(s) in the case attributes; correct them and upload the file"
    )
    assert "- Row 2, column 'years_in_office': 'five' is not a number." in info.value.message


def test_numbers_with_thousands_separators_are_refused_not_guessed():
    data = b'participant_id;income\nP01;"1,234"\n'
    with pytest.raises(ImportFileError, match=r"'1,234' is not a number\. Write numbers without thousands"):
        parse_case_attributes(data, "cases.csv", column_types={"income": "number"})


def test_missing_columns_are_named():
    with pytest.raises(
        ImportFileError, match=r"needs columns named 'participant_id' and 'age', but its first row"
    ):
        parse_case_attributes(CASES.encode(), "cases.csv", column_types={"age": "number"})


def test_unknown_type():
    with pytest.raises(
        ImportFileError, match=r"Unknown type 'colour' for column 'role'\. Choose one of 'text'"
    ):
        parse_case_attributes(CASES.encode(), "cases.csv", column_types={"role": "colour"})


def test_other_date_format():
    data = b"participant_id,interview_date\nP01,08/11/2021\n"
    table = parse_case_attributes(
        data, "cases.csv", column_types={"interview_date": "date"}, date_format="%d/%m/%Y"
    )
    assert table.cases[0].values["interview_date"] == datetime.date(2021, 11, 8)
