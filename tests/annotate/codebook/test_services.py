"""Codebook services: every change is a new, immutable CodebookVersion with author, time and rationale;
once coding has started a change needs a rationale; a refused change leaves no version and no event."""

import re
from unittest import mock

import pytest

from annotate.codebook.models import Code, CodebookVersion
from annotate.codebook.selectors import codebook_current_version, codebook_get
from annotate.codebook.services import code_create, code_update, codebook_import_tree
from annotate.coding.services import coding_create
from annotate.core.exceptions import ApplicationError
from tests.annotate.db import actions_since, audit_mark, audit_since
from tests.factories import ProjectFactory, UserFactory, make_document


@pytest.fixture
def project(db):
    return ProjectFactory(creator=UserFactory(username="pi"))


@pytest.fixture
def owner(project):
    return project.created_by


@pytest.fixture
def codebook(project):
    return codebook_get(project_id=project.id)


def versions(codebook) -> list[int]:
    return list(codebook.versions.order_by("number").values_list("number", flat=True))


def snapshot_names(version) -> list[str]:
    return sorted(code["name"] for code in version.snapshot)


@pytest.fixture
def coding_started(project, owner, codebook):
    """One coding exists: from now on every codebook change needs a rationale."""
    document = make_document(project, owner)
    code = code_create(codebook=codebook, actor=owner, name="Harm reduction")
    coding_create(project_id=project.id, coder=owner, segment=document.segments.first(), code=code)
    return code


def test_a_new_codebook_has_an_empty_first_version(codebook, owner):
    version = codebook.versions.get()
    assert (version.number, version.snapshot, version.created_by_id) == (1, [], owner.id)


def test_each_change_makes_the_next_version_with_a_snapshot(codebook, owner):
    theme = code_create(codebook=codebook, actor=owner, name="Harm reduction")
    child = code_create(codebook=codebook, actor=owner, name="Naloxone", parent=theme)
    code_update(code=child, actor=owner, data={"definition": "Overdose reversal."})
    assert versions(codebook) == [1, 2, 3, 4]
    v2, v3, v4 = codebook.versions.filter(number__gte=2).order_by("number")
    assert snapshot_names(v2) == ["Harm reduction"]
    assert snapshot_names(v3) == ["Harm reduction", "Naloxone"]
    assert [c["definition"] for c in v3.snapshot if c["name"] == "Naloxone"] == [""]
    assert [c["definition"] for c in v4.snapshot if c["name"] == "Naloxone"] == ["Overdose reversal."]
    assert [c["parent"] for c in v4.snapshot if c["name"] == "Naloxone"] == [theme.id]
    assert (v2.rationale, v4.rationale) == ("Added code 'Harm reduction'.", "Changed code 'Naloxone'.")


def test_code_create_records_the_code_and_the_version(codebook, owner):
    mark = audit_mark()
    code = code_create(codebook=codebook, actor=owner, name="Harm reduction", colour="#e15759")
    code_event, version_event = audit_since(mark)
    assert (code_event.action, code_event.object_id) == ("code.create", str(code.id))
    assert code_event.after["name"] == "Harm reduction"
    assert code_event.after["colour"] == "#e15759"
    assert version_event.action == "codebook_version.create"
    assert version_event.after == {"number": 2, "codes": 1}


@pytest.mark.parametrize(
    ("data", "action"),
    [
        ({"definition": "Reducing harms."}, "code.update"),
        ({"is_active": False}, "code.deactivate"),
    ],
)
def test_code_update_records_before_and_after(codebook, owner, data, action):
    code = code_create(codebook=codebook, actor=owner, name="Harm reduction")
    mark = audit_mark()
    code_update(code=code, actor=owner, data=data, rationale="Team meeting 3.")
    code_event, version_event = audit_since(mark)
    assert (code_event.action, code_event.reason) == (action, "Team meeting 3.")
    field, value = next(iter(data.items()))
    assert code_event.before[field] != value
    assert code_event.after[field] == value
    assert version_event.after["number"] == 3
    assert codebook_current_version(codebook=codebook).rationale == "Team meeting 3."


def test_moving_and_reactivating_are_named_as_such(codebook, owner):
    theme = code_create(codebook=codebook, actor=owner, name="Harm reduction")
    code = code_create(codebook=codebook, actor=owner, name="Naloxone")
    code_update(code=code, actor=owner, data={"is_active": False})
    mark = audit_mark()
    code_update(code=code, actor=owner, data={"parent": theme})
    code_update(code=code, actor=owner, data={"is_active": True})
    assert actions_since(mark) == [
        "code.move",
        "codebook_version.create",
        "code.reactivate",
        "codebook_version.create",
    ]


def test_an_update_that_changes_nothing_makes_no_version(codebook, owner):
    code = code_create(codebook=codebook, actor=owner, name="Harm reduction", definition="Reducing harms.")
    mark = audit_mark()
    code_update(code=code, actor=owner, data={"definition": "Reducing harms.", "name": " Harm reduction "})
    assert versions(codebook) == [1, 2]
    assert audit_since(mark) == []


def test_import_tree_adds_every_code_as_one_version(codebook, owner):
    tree = [
        {"name": "Harm reduction", "children": [{"name": "Naloxone"}, {"name": "Syringe services"}]},
        {"name": "Public health", "definition": "Health framing."},
    ]
    mark = audit_mark()
    version = codebook_import_tree(codebook=codebook, actor=owner, tree=tree, rationale="Deductive codebook.")
    assert version.number == 2
    assert versions(codebook) == [1, 2]
    assert snapshot_names(version) == ["Harm reduction", "Naloxone", "Public health", "Syringe services"]
    assert actions_since(mark) == ["code.create"] * 4 + ["codebook_version.create"]
    naloxone = Code.objects.get(codebook=codebook, name="Naloxone")
    assert naloxone.parent.name == "Harm reduction"


def test_a_failing_import_adds_nothing(codebook, owner):
    tree = [{"name": "Harm reduction"}, {"name": "Harm reduction"}]
    mark = audit_mark()
    with pytest.raises(
        ApplicationError, match="A code called 'Harm reduction' already exists at the top level"
    ):
        codebook_import_tree(codebook=codebook, actor=owner, tree=tree, rationale="Import.")
    assert not Code.objects.filter(codebook=codebook).exists()
    assert versions(codebook) == [1]
    assert audit_since(mark) == []


# --- rationale once coding has started ----------------------------------------------------------------


def test_before_coding_no_rationale_is_needed(codebook, owner):
    code = code_create(codebook=codebook, actor=owner, name="Harm reduction")
    code_update(code=code, actor=owner, data={"definition": "Reducing harms."})
    assert versions(codebook) == [1, 2, 3]


@pytest.mark.parametrize("rationale", ["", "   "], ids=["empty", "blank"])
@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda cb, owner, code, r: code_create(codebook=cb, actor=owner, name="Diversion", rationale=r),
            id="create",
        ),
        pytest.param(
            lambda cb, owner, code, r: code_update(
                code=code, actor=owner, data={"definition": "New."}, rationale=r
            ),
            id="update",
        ),
        pytest.param(
            lambda cb, owner, code, r: code_update(
                code=code, actor=owner, data={"is_active": False}, rationale=r
            ),
            id="deactivate",
        ),
        pytest.param(
            lambda cb, owner, code, r: codebook_import_tree(
                codebook=cb, actor=owner, tree=[{"name": "X"}], rationale=r
            ),
            id="import",
        ),
    ],
)
def test_once_coding_has_started_a_change_needs_a_rationale(
    codebook, owner, coding_started, change, rationale
):
    before = versions(codebook)
    mark = audit_mark()
    with pytest.raises(
        ApplicationError, match=r"Coding has started: give a rationale for this codebook change\.$"
    ):
        change(codebook, owner, coding_started, rationale)
    assert versions(codebook) == before
    assert audit_since(mark) == []
    coding_started.refresh_from_db()
    assert (coding_started.definition, coding_started.is_active) == ("", True)
    assert list(Code.objects.filter(codebook=codebook).values_list("name", flat=True)) == ["Harm reduction"]


def test_once_coding_has_started_a_change_with_a_rationale_is_versioned(codebook, owner, coding_started):
    code_create(codebook=codebook, actor=owner, name="Diversion", rationale="Emerged in P03.")
    assert codebook_current_version(codebook=codebook).rationale == "Emerged in P03."


# --- refusals -----------------------------------------------------------------------------------------


def test_refusals_leave_no_version_and_no_event(project, codebook, owner):
    theme = code_create(codebook=codebook, actor=owner, name="Harm reduction")
    child = code_create(codebook=codebook, actor=owner, name="Naloxone", parent=theme)
    other_codebook = codebook_get(project_id=ProjectFactory(creator=owner).id)
    foreign = code_create(codebook=other_codebook, actor=owner, name="Elsewhere")
    before, mark = versions(codebook), audit_mark()
    refusals = [
        (
            lambda: code_create(codebook=codebook, actor=owner, name="Harm reduction"),
            "already exists at the top level",
        ),
        (
            lambda: code_create(codebook=codebook, actor=owner, name="Naloxone", parent=theme),
            "already exists under 'Harm reduction'",
        ),
        (lambda: code_create(codebook=codebook, actor=owner, name="  "), "A code needs a name."),
        (
            lambda: code_create(codebook=codebook, actor=owner, name="X", colour="red"),
            "Colour 'red' is not a hex colour",
        ),
        (
            lambda: code_create(codebook=codebook, actor=owner, name="X", parent=foreign),
            "parent code belongs to another codebook",
        ),
        (
            lambda: code_create(codebook=codebook, actor=owner, name="X", weight=3),
            r"Unknown code field\(s\): weight",
        ),
        (
            lambda: code_update(code=theme, actor=owner, data={"parent": child}),
            "cannot be moved under itself or one of its descendants",
        ),
        (
            lambda: code_update(code=theme, actor=owner, data={"parent": theme}),
            "cannot be moved under itself",
        ),
        (lambda: code_update(code=theme, actor=owner, data={"colour": "#12345g"}), "is not a hex colour"),
    ]
    for call, message in refusals:
        with pytest.raises(ApplicationError, match=message):
            call()
    assert versions(codebook) == before
    assert audit_since(mark) == []
    theme.refresh_from_db()
    assert (theme.parent_id, theme.colour) == (None, "#4e79a7")


def test_when_the_event_cannot_be_written_no_code_or_version_remains(codebook, owner):
    with (
        mock.patch("annotate.audit.services._append", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        code_create(codebook=codebook, actor=owner, name="Harm reduction")
    assert not Code.objects.filter(codebook=codebook).exists()
    assert CodebookVersion.objects.filter(codebook=codebook).count() == 1


def test_codes_made_without_a_colour_each_get_their_own(codebook, owner):
    made = [code_create(codebook=codebook, actor=owner, name=f"Code {i}") for i in range(14)]
    given = code_create(codebook=codebook, actor=owner, name="Given", colour="#112233")
    colours = [code.colour for code in made]
    assert len(set(colours)) == len(colours)
    assert given.colour == "#112233"
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in colours)
