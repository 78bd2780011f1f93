import json
from pathlib import Path

import pytest
from django.core.management import call_command

from annotate.audit.models import AuditEvent
from annotate.audit.selectors import audit_chain_breaks
from annotate.cases.models import AttributeValue, Case
from annotate.codebook.models import Code, CodebookVersion
from annotate.demo.services import DATA_DIR, DEMO_PROJECT_NAME
from annotate.documents.models import Document, Segment
from annotate.projects.models import Membership, Project

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Project,
            Membership,
            Case,
            AttributeValue,
            Code,
            CodebookVersion,
            Document,
            Segment,
            AuditEvent,
        )
    }


def test_load_demo_builds_the_study_and_is_idempotent(capsys):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert "Already loaded" in capsys.readouterr().out

    project = Project.objects.get(name=DEMO_PROJECT_NAME)
    assert Document.objects.filter(project=project).count() == 16
    jurisdictions = AttributeValue.objects.filter(case__project=project, attribute__name="jurisdiction")
    assert jurisdictions.count() == 16
    assert len(set(jurisdictions.values_list("text_value", flat=True))) == 14
    roles = sorted(Membership.objects.filter(project=project).values_list("role", flat=True))
    assert roles == ["adjudicator", "coder", "coder", "coder", "owner"]
    codebook = json.loads((DATA_DIR / "codebook.json").read_text())
    n_codes = sum(len(t["codes"]) for t in codebook["themes"])
    assert Code.objects.filter(codebook__project=project, parent__isnull=False).count() == n_codes == 25
    assert Code.objects.filter(codebook__project=project, parent__isnull=True).count() == len(
        codebook["themes"]
    )
    assert list(audit_chain_breaks(project_id=project.id)) == []


def test_demo_transcripts_are_within_the_word_range_and_segmented_by_speaker():
    call_command("load_demo")
    for document in Document.objects.all():
        words = len(document.text.split())
        assert 1000 <= words <= 2600, (document.title, words)
        segments = list(document.segments.all())
        speakers = {s.speaker for s in segments}
        assert len(speakers) == 2, (document.title, speakers)
        # Interviewer turns are kept as context but not coded.
        assert {s.speaker for s in segments if not s.codable} <= {"Interviewer", "Q"}
        for s in segments:
            assert document.text[s.start_offset : s.end_offset] == s.text
            assert not s.text.startswith(s.speaker + ":")  # offsets cover the speech, not the label


def test_every_gold_quote_lies_inside_one_codable_segment():
    call_command("load_demo")
    for path in sorted((DATA_DIR / "transcripts").glob("P*.codes.json")):
        identifier = path.name.split(".")[0]
        document = Document.objects.get(case__identifier=identifier)
        segments = list(document.segments.filter(codable=True))
        for passage in json.loads(path.read_text()):
            start = document.text.index(passage["quote"])
            end = start + len(passage["quote"])
            holders = [s for s in segments if s.start_offset <= start and end <= s.end_offset]
            assert len(holders) == 1, (identifier, passage["quote"][:40])


def test_demo_is_refused_under_production_settings(settings):
    settings.SETTINGS_MODULE = "annotate.settings.production"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not loaded under production"):
        call_command("load_demo")


def test_demo_data_folder_documents_its_design():
    readme = (Path(DATA_DIR) / "README.md").read_text()
    assert "| HR1 harm reduction named explicitly |" in readme
