"""What the database refuses for codes and codebook versions, whatever the services do."""

import pytest

from annotate.codebook.models import Code, CodebookVersion
from annotate.codebook.selectors import codebook_get
from tests.annotate.db import constraints_immediate, rejected
from tests.factories import ProjectFactory, UserFactory


@pytest.fixture
def codebook(db):
    constraints_immediate()
    project = ProjectFactory(creator=UserFactory(username="pi"))
    return codebook_get(project_id=project.id)


@pytest.fixture
def theme(codebook):
    return Code.objects.create(codebook=codebook, name="Harm reduction")


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345g", "4e79a7", "#4e79a", "#-12345"])
def test_a_code_colour_is_a_hex_colour(codebook, colour):
    with rejected("code_colour_hex"):
        Code.objects.create(codebook=codebook, name="Diversion", colour=colour)


def test_mixed_case_hex_colours_are_accepted(codebook):
    code = Code.objects.create(codebook=codebook, name="Diversion", colour="#A1b2C3")
    assert Code.objects.get(pk=code.pk).colour == "#A1b2C3"


def test_top_level_names_are_unique(codebook, theme):
    with rejected("code_name_unique_among_top_level"):
        Code.objects.create(codebook=codebook, name="Harm reduction")


def test_sibling_names_under_a_parent_are_unique(codebook, theme):
    Code.objects.create(codebook=codebook, parent=theme, name="Naloxone")
    with rejected("code_name_unique_among_siblings"):
        Code.objects.create(codebook=codebook, parent=theme, name="Naloxone")


def test_a_name_may_recur_under_another_parent_or_at_another_level(codebook, theme):
    other = Code.objects.create(codebook=codebook, name="Public health")
    Code.objects.create(codebook=codebook, parent=theme, name="Naloxone")
    Code.objects.create(codebook=codebook, parent=other, name="Naloxone")
    Code.objects.create(codebook=codebook, parent=other, name="Harm reduction")


def test_a_rename_into_a_siblings_name_is_refused(codebook, theme):
    other = Code.objects.create(codebook=codebook, name="Public health")
    with rejected("code_name_unique_among_top_level"):
        Code.objects.filter(pk=other.pk).update(name="Harm reduction")


def test_a_code_has_a_name(codebook):
    with rejected("code_name_not_empty"):
        Code.objects.create(codebook=codebook, name="")


def test_a_code_is_not_its_own_parent(theme):
    with rejected("code_not_own_parent"):
        Code.objects.filter(pk=theme.pk).update(parent=theme)


# --- versions -------------------------------------------------------------------------------------


@pytest.fixture
def version(codebook):
    return codebook.versions.get(number=1)  # written by project_create


def test_a_version_cannot_be_edited(version):
    with rejected("codebook_codebookversion is append-only: UPDATE"):
        CodebookVersion.objects.filter(pk=version.pk).update(rationale="Rewritten history.")
    version.snapshot = [{"name": "Invented"}]
    with rejected("append-only: UPDATE"):
        version.save()
    assert CodebookVersion.objects.get(pk=version.pk).snapshot == []


def test_a_version_cannot_be_deleted(version):
    with rejected("codebook_codebookversion is append-only: DELETE"):
        CodebookVersion.objects.filter(pk=version.pk).delete()
    assert CodebookVersion.objects.filter(pk=version.pk).exists()


def test_version_numbers_are_unique_and_start_at_one(codebook, version):
    with rejected("codebook_version_number_unique"):
        CodebookVersion.objects.create(
            codebook=codebook, number=1, created_by=version.created_by, snapshot=[]
        )
    with rejected("codebook_version_number_positive"):
        CodebookVersion.objects.create(
            codebook=codebook, number=0, created_by=version.created_by, snapshot=[]
        )
