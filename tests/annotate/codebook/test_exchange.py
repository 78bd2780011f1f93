"""Codebook exchange: CSV and REFI-QDA .qdc. Round trips keep every field each format can carry, the
.qdc we write is valid against the QDA-XML schemas, and a bad file is refused whole with a clear 4xx."""

import csv
import io
import re
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from annotate.audit.models import AuditEvent
from annotate.codebook.exchange import (
    QDC_NAMESPACE,
    codebook_csv_parse,
    description_parse,
    description_render,
)
from annotate.codebook.models import Code, CodebookVersion
from annotate.codebook.selectors import codebook_export_codes, codebook_get
from annotate.core.exceptions import ApplicationError
from tests.factories import ProjectFactory, UserFactory, make_code

SCHEMAS = Path(__file__).resolve().parents[2] / "data" / "refi-qda"
FIELDS = ["definition", "inclusion", "exclusion", "typical_example", "atypical_example"]


@pytest.fixture(scope="module")
def codebook_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "Codebook.xsd")))


@pytest.fixture(scope="module")
def project_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "Project-mrt2019.xsd")))


def as_project_document(qdc: bytes) -> etree._Element:
    """The .qdc's <CodeBook>, moved into the project namespace, inside a minimal <Project>."""
    project_ns = "urn:QDA-XML:project:1.0"
    source = etree.fromstring(qdc)
    project = etree.Element(f"{{{project_ns}}}Project", nsmap={None: project_ns}, name="Round trip")

    def copy(element, parent):
        clone = etree.SubElement(
            parent, f"{{{project_ns}}}{etree.QName(element).localname}", dict(element.attrib)
        )
        clone.text = element.text
        for child in element:
            copy(child, clone)

    codebook = etree.SubElement(project, f"{{{project_ns}}}CodeBook")
    for child in source:
        copy(child, codebook)
    return project


# --- the Description layout ---------------------------------------------------------------------------

TRICKY = {
    "definition": "Reducing the harms of drug use.\n\nInclusion: this line is part of the definition.",
    "inclusion": "Naloxone;\n- syringe services\n\\ a line that starts with a backslash",
    "exclusion": "Court-mandated treatment.\nTypical example: still the exclusion",
    "typical_example": '"We stopped prosecuting possession of test strips." (P07)',
    "atypical_example": "Atypical example: \u00e9t\u00e9 \U0001f600 — all on one line",
}


@pytest.mark.parametrize(
    "fields",
    [
        TRICKY,
        {"definition": "Only a definition."},
        {"exclusion": "Only an exclusion."},
        {},
    ],
    ids=["tricky", "definition-only", "exclusion-only", "empty"],
)
def test_the_description_layout_reads_back_exactly(fields):
    assert description_parse(description_render(fields)) == fields


def test_the_description_layout_is_readable_as_it_stands():
    text = description_render({"definition": "Harm.", "inclusion": "Naloxone.", "typical_example": "P07."})
    assert text == "Harm.\n\nInclusion: Naloxone.\n\nTypical example: P07."


def test_a_description_from_another_program_becomes_the_definition():
    assert description_parse("Anything about jobs or taxes or business") == {
        "definition": "Anything about jobs or taxes or business"
    }


# --- round trips through the API ----------------------------------------------------------------------


@pytest.fixture
def source_project(db):
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner, name="Prosecutors")
    theme = make_code(project, owner, name="Harm reduction", colour="#A1B2C3", **TRICKY)
    code = make_code(
        project,
        owner,
        name="Naloxone",
        parent=theme,
        definition="=1+1 is not a formula here",
        inclusion="+ and - and @ at the start",
        exclusion="'quoted already",
        typical_example='Comma, "quotes" and\nnewlines',
        atypical_example="\u00e9t\u00e9",
        colour="#00ff00",
    )
    make_code(project, owner, name="Kits in jails", parent=code, definition="Sub-code.")
    make_code(project, owner, name="Public health", colour="#123456")
    retired = make_code(project, owner, name="Diversion", parent=theme)
    retired.is_active = False
    Code.objects.filter(pk=retired.pk).update(is_active=False)
    return project, owner


def snapshot_of(project) -> list[dict]:
    """What an exchange file can carry: paths, order, GUIDs, every field, colour (case-folded), active."""
    return [
        {
            "path": code.path,
            "guid": code.guid,
            "colour": code.colour.lower(),
            "is_active": code.is_active,
            **{name: getattr(code, name) for name in FIELDS},
        }
        for code in codebook_export_codes(codebook=codebook_get(project_id=project.id))
    ]


def export(client, project, file_format):
    response = client.get(f"/api/v1/projects/{project.id}/codebook/export/{file_format}")
    assert response.status_code == 200, response.content
    return response


def upload(client, project, file_format, content: bytes, rationale="Imported from the pilot study."):
    return client.post(
        f"/api/v1/projects/{project.id}/codebook/import/{file_format}",
        {"file": SimpleUploadedFile(f"codebook.{file_format}", content), "rationale": rationale},
        format="multipart",
    )


@pytest.mark.parametrize("file_format", ["csv", "qdc"])
def test_round_trip_into_an_empty_project_keeps_every_field(source_project, api_client_for, file_format):
    project, owner = source_project
    client = api_client_for(owner)
    content = export(client, project, file_format).content
    empty = ProjectFactory(creator=owner, name="Replication")

    response = upload(client, empty, file_format, content)

    assert response.status_code == 201, response.content
    assert response.json()["codes_added"] == 5
    assert snapshot_of(empty) == snapshot_of(project)
    version = CodebookVersion.objects.filter(codebook__project=empty).order_by("-number").first()
    assert version.rationale == "Imported from the pilot study."
    assert AuditEvent.objects.filter(project=empty, action="codebook.import").count() == 1


def test_the_csv_has_one_row_per_code_with_its_path_and_every_field(source_project, api_client_for):
    project, owner = source_project
    response = export(api_client_for(owner), project, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="codebook-project-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["path"] for r in rows] == [
        "Harm reduction",
        "Harm reduction > Naloxone",
        "Harm reduction > Naloxone > Kits in jails",
        "Harm reduction > Diversion",
        "Public health",
    ]
    naloxone = rows[1]
    assert naloxone["definition"] == "'=1+1 is not a formula here", "a formula trigger is neutralised"
    assert naloxone["inclusion"] == "'+ and - and @ at the start"
    assert (naloxone["colour"], naloxone["active"]) == ("#00ff00", "true")
    assert rows[3]["active"] == "false"
    uuid.UUID(naloxone["guid"])
    assert AuditEvent.objects.filter(project=project, action="codebook.export", actor=owner).count() == 1


def test_the_qdc_is_valid_against_both_refi_qda_schemas(
    source_project, api_client_for, codebook_schema, project_schema
):
    project, owner = source_project
    response = export(api_client_for(owner), project, "qdc")
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    document = etree.fromstring(response.content)
    codebook_schema.assertValid(document)
    project_schema.assertValid(as_project_document(response.content))
    ns = {"q": QDC_NAMESPACE}
    theme = document.find("q:Codes/q:Code", ns)
    assert (theme.get("name"), theme.get("isCodable"), theme.get("color")) == (
        "Harm reduction",
        "true",
        "#A1B2C3",
    )
    assert [c.get("name") for c in theme.findall("q:Code", ns)] == ["Naloxone", "Diversion"]
    assert theme.find("q:Code[@name='Diversion']", ns).get("isCodable") == "false"
    assert theme.find("q:Description", ns).text.startswith("Reducing the harms of drug use.")


def test_guids_are_stable_across_exports(source_project, api_client_for):
    project, owner = source_project
    client = api_client_for(owner)
    first, second = export(client, project, "qdc").content, export(client, project, "qdc").content
    assert first == second


def test_the_schema_check_would_catch_a_bad_file(codebook_schema):
    """The validation above can fail: a missing isCodable, or a bad colour, is invalid."""
    bad = (
        f'<CodeBook xmlns="{QDC_NAMESPACE}"><Codes>'
        '<Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="Topics" color="red"/></Codes></CodeBook>'
    )
    assert not codebook_schema.validate(etree.fromstring(bad.encode()))


SPEC_EXAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:qda="urn:QDA-XML:codebook:1.0"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:QDA-XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd">
<Codes>
<Code guid="{5215cc69-b628-4e02-afb9-9beeaee55808}" name="Topics" isCodable="false">
  <Code guid="{d7aa29da-519b-4946-9b90-253b6db8fd0a}" name="Economy" isCodable="true" color="#ff0">
    <Description>Anything about jobs or taxes or business</Description>
  </Code>
</Code>
<Code guid="9FA9BCB7-5B59-47A9-8C3E-F65CFFDC7520" name="Values" isCodable="true"/>
</Codes>
</CodeBook>"""


def test_a_qdc_in_the_specifications_style_imports(db, api_client_for, codebook_schema):
    codebook_schema.assertValid(etree.fromstring(SPEC_EXAMPLE))
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    response = upload(api_client_for(owner), project, "qdc", SPEC_EXAMPLE)
    assert response.status_code == 201, response.content
    codes = {c.path: c for c in codebook_export_codes(codebook=codebook_get(project_id=project.id))}
    economy = codes[("Topics", "Economy")]
    assert (economy.colour, economy.definition, economy.is_active) == (
        "#ffff00",
        "Anything about jobs or taxes or business",
        True,
    )
    assert economy.guid == uuid.UUID("d7aa29da-519b-4946-9b90-253b6db8fd0a")
    assert codes[("Topics",)].is_active is False
    assert codes[("Values",)].guid == uuid.UUID("9fa9bcb7-5b59-47a9-8c3e-f65cffdc7520")


def test_a_csv_with_only_paths_in_any_order_imports_with_defaults():
    rows = codebook_csv_parse(b"path\nTheme > Code\nTheme\n")
    assert [(r.path, r.fields) for r in rows] == [(("Theme", "Code"), {}), (("Theme",), {})]


# --- bad input: refused whole -------------------------------------------------------------------------

CSV_HEADER = "path,definition,colour,active,guid\n"
BAD_FILES = [
    (
        "csv",
        CSV_HEADER + "Theme,,,,\nTheme > Code,,,,\nNowhere > Code,,,,\n",
        400,
        "unknown parent path 'Nowhere'",
    ),
    (
        "csv",
        CSV_HEADER + "Theme,,,,\nTheme > Code,,,,\nTheme > Code,,,,\n",
        400,
        "duplicate path 'Theme > Code'",
    ),
    ("csv", CSV_HEADER + "Theme,,,,\nTheme > Code,,red,,\n", 400, "Row 3: colour 'red' is not a hex colour"),
    ("csv", CSV_HEADER + "Theme,,,maybe,\n", 400, "active must be true or false"),
    ("csv", CSV_HEADER + "Theme,,,,not-a-guid\n", 400, "is not a GUID"),
    ("csv", "path,colour,notes\nTheme,,\n", 400, "Unknown CSV column"),
    ("csv", "name\nTheme\n", 400, "needs a 'path' column"),
    ("csv", CSV_HEADER + "Theme > > Code,,,,\n", 400, "has an empty level"),
    ("csv", CSV_HEADER + "Theme,,,\n", 400, "Row 2 has 4 cells"),
    ("csv", "", 400, "The submitted file is empty"),
    ("csv", "\ufeff", 400, "The CSV file is empty"),
    ("csv", CSV_HEADER, 400, "The file holds no codes"),
    ("qdc", "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes><Code", 400, "not well-formed XML"),
    ("qdc", "<Project xmlns='urn:QDA-XML:project:1.0' name='x'/>", 400, "The root element is <Project>"),
    ("qdc", "<CodeBook><Codes/></CodeBook>", 400, "in namespace \\(none\\)"),
    (
        "qdc",
        "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>"
        "<Code guid='5215cc69-b628-4e02-afb9-9beeaee55808' name='A' isCodable='true' color='#12'/>"
        "</Codes></CodeBook>",
        400,
        "colour '#12' is not a hex colour",
    ),
    (
        "qdc",
        "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>"
        "<Code guid='5215cc69-b628-4e02-afb9-9beeaee55808' name='A' isCodable='true'/>"
        "<Code guid='5215cc69-b628-4e02-afb9-9beeaee55809' name='A' isCodable='true'/>"
        "</Codes></CodeBook>",
        400,
        "duplicate path 'A'",
    ),
    (
        "qdc",
        "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>"
        "<Code guid='5215cc69-b628-4e02-afb9-9beeaee55808' name='A' isCodable='true'/>"
        "<Code guid='5215cc69-b628-4e02-afb9-9beeaee55808' name='B' isCodable='true'/>"
        "</Codes></CodeBook>",
        400,
        "is used twice",
    ),
    (
        "qdc",
        "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes><Code name='A' isCodable='true'/></Codes></CodeBook>",
        400,
        "has no guid",
    ),
    (
        "qdc",
        "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>"
        "<Code guid='5215cc69-b628-4e02-afb9-9beeaee55808' name='A &gt; B' isCodable='true'/>"
        "</Codes></CodeBook>",
        400,
        "cannot contain '>'",
    ),
    (
        "qdc",
        '<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>"
        "<Code guid='5215cc69-b628-4e02-afb9-9beeaee55808' name='A' isCodable='true'>"
        "<Description>&xxe;</Description></Code></Codes></CodeBook>",
        400,
        "declares a DTD",
    ),
    ("csv", b"path\nCaf\xe9\n", 400, "not UTF-8 text"),
    ("xlsx", "path\nTheme\n", 404, "Unknown format 'xlsx'"),
]


@pytest.mark.parametrize(
    ("file_format", "content", "status", "message"),
    BAD_FILES,
    ids=[f"{i}-{f}-{m[:30]}" for i, (f, _, _, m) in enumerate(BAD_FILES)],
)
def test_a_bad_file_is_refused_whole(db, api_client_for, file_format, content, status, message):
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    make_code(project, owner, name="Existing")
    counts = (Code.objects.count(), AuditEvent.objects.count(), CodebookVersion.objects.count())
    data = content.encode() if isinstance(content, str) else content

    response = upload(api_client_for(owner), project, file_format, data)

    assert response.status_code == status, response.content
    assert set(response.json()) >= {"detail"}
    assert re.search(message, response.json()["detail"]), response.json()["detail"]
    assert (Code.objects.count(), AuditEvent.objects.count(), CodebookVersion.objects.count()) == counts


def test_a_file_that_clashes_with_the_codebook_is_a_conflict(source_project, api_client_for):
    project, owner = source_project
    client = api_client_for(owner)
    content = export(client, project, "csv").content
    codes = Code.objects.count()
    response = upload(client, project, "csv", content)
    assert response.status_code == 409
    assert response.json() == {"detail": "Row 2: the codebook already has a code at 'Harm reduction'."}
    assert Code.objects.count() == codes


def test_rows_may_hang_under_existing_codes(source_project, api_client_for):
    project, owner = source_project
    response = upload(
        api_client_for(owner), project, "csv", b"path,definition\nPublic health > Stigma,Shame.\n"
    )
    assert response.status_code == 201, response.content
    stigma = Code.objects.get(name="Stigma")
    assert (stigma.parent.name, stigma.definition) == ("Public health", "Shame.")


def test_an_empty_codebook_cannot_be_exported_as_qdc(db, api_client_for):
    owner = UserFactory(username="pi")
    project = ProjectFactory(creator=owner)
    response = api_client_for(owner).get(f"/api/v1/projects/{project.id}/codebook/export/qdc")
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "The codebook has no codes to export."},
    )


def test_parse_errors_are_application_errors():
    with pytest.raises(ApplicationError, match="Row 2: colour '#xyz' is not a hex colour"):
        codebook_csv_parse(b"path,colour\nA,#xyz\n")
