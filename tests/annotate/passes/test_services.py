"""Opening a secondary pass: the passages copied with their text, speaker, case and source segment; the
team; both audit trails in the same transaction; doubles refused; bad input changing nothing."""

import pytest
from django.db import connection
from rest_framework.exceptions import NotFound, PermissionDenied

from annotate.audit.models import AuditEvent
from annotate.audit.selectors import audit_chain_breaks
from annotate.cases.models import Case
from annotate.codebook.models import Code
from annotate.core.exceptions import ApplicationError
from annotate.documents.models import Document, Segment
from annotate.explore.passages import CodeQuery
from annotate.explore.scope import SegmentFilters
from annotate.passes.models import Passage, SecondaryPass
from annotate.passes.services import secondary_pass_create
from annotate.projects.models import Membership, Project
from tests.factories import ProjectFactory, make_code

pytestmark = pytest.mark.django_db


def owner_of(study):
    return Membership.objects.select_related("project").get(project=study.project, user=study.users["owner"])


def open_pass(study, *codes, **kwargs):
    kwargs.setdefault("source", "coders")
    return secondary_pass_create(
        membership=owner_of(study),
        actor=study.users["owner"],
        query=CodeQuery(all=tuple(study.codes[c].id for c in codes)),
        **kwargs,
    )


def test_the_passages_of_a_theme_become_the_transcripts_of_a_new_project(study):
    secondary = open_pass(study, "theme")
    child = secondary.project
    assert (secondary.parent_project, secondary.parent_code) == (study.project, study.codes["theme"])
    # The theme's passages by every coder: P01 ¶2 and ¶3, P02 ¶2, P03 ¶3 (a span coding: the whole turn).
    expected = [
        study.segment("P01", 1),
        study.segment("P01", 2),
        study.segment("P02", 1),
        study.segment("P03", 2),
    ]
    passages = list(
        Passage.objects.filter(secondary_pass=secondary)
        .select_related("segment__document__case", "source_segment")
        .order_by("segment__document__analysis_order", "segment__position")
    )
    assert [p.source_segment for p in passages] == expected
    for p in passages:
        assert p.segment.document.project == child
        assert p.segment.text == p.source_segment.text
        assert p.segment.speaker == p.source_segment.speaker
        assert p.segment.codable
        assert p.segment.document.case.identifier == p.source_segment.document.case.identifier
        assert p.segment.document.title == p.source_segment.document.title
        assert p.segment.document.analysis_order == p.source_segment.document.analysis_order
    assert secondary.passage_count == 4
    assert Segment.objects.filter(document__project=child).count() == 4
    assert Document.objects.filter(project=child).count() == 3
    # The cases come with their attribute values; the codebook starts empty, for the themes.
    assert {c.identifier: c.attribute_values.get().value for c in Case.objects.filter(project=child)} == {
        "P01": "non-prosecution",
        "P02": "diversion",
        "P03": "diversion",
    }
    assert not Code.objects.filter(codebook__project=child).exists()
    # The team: the owner, and every other member of the parent in the same role.
    assert dict(Membership.objects.filter(project=child).values_list("user__username", "role")) == dict(
        Membership.objects.filter(project=study.project).values_list("user__username", "role")
    )


def test_both_trails_record_the_pass_and_stay_whole(study):
    secondary = open_pass(study, "named")
    parent_event = AuditEvent.objects.get(project=study.project, action="secondary_pass.create")
    assert parent_event.after["project"] == secondary.project_id
    assert parent_event.after["parent_code"] == study.codes["named"].id
    assert parent_event.after["passages"] == 2
    child_event = AuditEvent.objects.get(project=secondary.project, action="passages.copy")
    assert child_event.after["parent_project"] == study.project.id
    assert child_event.after["query"] == "Harm reduction theme > Named"
    actions = set(AuditEvent.objects.filter(project=secondary.project).values_list("action", flat=True))
    assert {"project.create", "membership.create", "case.create", "document.create"} <= actions
    assert list(audit_chain_breaks(project_id=study.project.id)) == []
    assert list(audit_chain_breaks(project_id=secondary.project_id)) == []


def test_a_failure_after_the_copy_leaves_nothing_behind(study, monkeypatch):
    from annotate.passes import services

    def broken(**_kwargs):
        raise ApplicationError("the parent's trail is unavailable")

    real = services.audit_record
    monkeypatch.setattr(
        services,
        "audit_record",
        lambda **kw: broken(**kw) if kw["action"] == "secondary_pass.create" else real(**kw),
    )
    projects, events = Project.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ApplicationError, match="unavailable"):
        open_pass(study, "named")
    assert (Project.objects.count(), AuditEvent.objects.count()) == (projects, events)
    assert not SecondaryPass.objects.exists()
    assert not Passage.objects.exists()


def test_the_default_source_is_the_final_coding_and_an_empty_one_is_refused(study):
    projects = Project.objects.count()
    with pytest.raises(ApplicationError, match=r"no passages in the final coding .*source=final_else_coders"):
        open_pass(study, "theme", source=None)
    assert Project.objects.count() == projects


def test_one_coders_codings_and_the_filters_choose_the_passages(study):
    secondary = open_pass(
        study,
        "theme",
        coder=study.users["coder2"].id,
        filters=SegmentFilters(attributes=((study.policy.id, "diversion"),)),
        name="Coder 2 on diversion",
    )
    assert set(Passage.objects.filter(secondary_pass=secondary).values_list("source_segment", flat=True)) == {
        study.segment("P02", 1).id,
        study.segment("P03", 2).id,
    }
    assert secondary.query["coder"] == study.users["coder2"].id


def test_a_second_pass_of_the_same_name_on_the_same_code_is_refused(study):
    first = open_pass(study, "named", name="Meanings of harm reduction")
    projects = Project.objects.count()
    with pytest.raises(ApplicationError, match="already has a secondary pass called") as refused:
        open_pass(study, "named", name="  Meanings of  harm reduction ")
    assert refused.value.status == 409
    assert refused.value.extra == {"project": first.project_id}
    assert Project.objects.count() == projects
    other = open_pass(study, "named", name="Second look")  # another name: another pass
    assert other.project_id != first.project_id


def test_the_owner_chooses_who_joins(study):
    secondary = open_pass(study, "named", member_ids=[study.users["coder"].id, study.users["coder2"].id])
    assert dict(
        Membership.objects.filter(project=secondary.project).values_list("user__username", "role")
    ) == {
        "owner": "owner",
        "coder": "coder",
        "coder2": "coder",
    }
    outsider = study.users["outsider"].id
    with pytest.raises(ApplicationError, match=rf"User\(s\) {outsider} are not members of this project"):
        open_pass(study, "named", name="Other", member_ids=[outsider])


def test_bad_input(study):
    owner = study.users["owner"]
    elsewhere = make_code(ProjectFactory(creator=owner), owner, name="Elsewhere")
    with pytest.raises(NotFound, match=f"Code {elsewhere.id} not found in this project"):
        secondary_pass_create(
            membership=owner_of(study), actor=owner, query=CodeQuery(all=(elsewhere.id,)), source="coders"
        )
    with pytest.raises(ApplicationError, match="Start a secondary pass from a code"):
        secondary_pass_create(
            membership=owner_of(study), actor=owner, query=CodeQuery(any=(study.codes["named"].id,))
        )
    coder = Membership.objects.select_related("project").get(project=study.project, user=study.users["coder"])
    with pytest.raises(PermissionDenied, match="Only the project's owners"):
        secondary_pass_create(
            membership=coder, actor=study.users["coder"], query=CodeQuery(all=(study.codes["named"].id,))
        )
    assert not SecondaryPass.objects.exists()


def test_a_parent_transcript_with_passages_in_a_pass_is_kept(study):
    from annotate.documents.services import document_delete

    secondary = open_pass(study, "named")
    source = Passage.objects.filter(secondary_pass=secondary).first().source_segment
    # Its codings already keep it; the pass keeps it too, whatever else is removed.
    from annotate.passes.receivers import keep_a_transcript_with_passages_in_a_pass

    with pytest.raises(ApplicationError, match="coded in the secondary pass"):
        keep_a_transcript_with_passages_in_a_pass(document=source.document)
    with pytest.raises(ApplicationError):
        document_delete(document=source.document, actor=study.users["owner"])
    assert Document.objects.filter(pk=source.document_id).exists()


def test_the_pass_is_a_project_the_primary_machinery_works_on(study):
    """Codes, codings and the agreement input of the pass read through the primary pass's services."""
    from annotate.coding.services import coding_create

    secondary = open_pass(study, "theme")
    owner = study.users["owner"]
    theme = make_code(secondary.project, owner, name="Pragmatism")
    segment = Segment.objects.filter(document__project=secondary.project).first()
    coding, created = coding_create(project_id=secondary.project_id, coder=owner, segment=segment, code=theme)
    assert created
    assert coding.project_id == secondary.project_id
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM explore_segmentsearch WHERE project_id = %s", [secondary.project_id]
        )
        assert cursor.fetchone()[0] == 4  # the search index took the passages in
