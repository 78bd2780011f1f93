"""Adjudication services and selectors against PostgreSQL: the queue, every kind of decision, the
rationale rule, revisions, bulk actions, the own-unit rule, and what the database itself refuses."""

import pytest
from django.db import connection

from annotate.adjudication.models import AdjudicationSettings, Decision, FinalCoding, Provenance
from annotate.adjudication.selectors import (
    adjudication_queue,
    final_coding_rows,
    final_sets_by_segment,
)
from annotate.adjudication.services import (
    FinalSpec,
    decision_bulk_apply,
    decision_bulk_preview,
    decision_decide,
)
from annotate.audit.models import AuditEvent
from annotate.audit.selectors import audit_chain_breaks
from annotate.coding_loop.done import assignment_reopen
from annotate.core.exceptions import ApplicationError, ConflictError
from tests.annotate.db import actions_since, audit_mark, rejected

from .world import code, label, make_study, unit_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    """Two transcripts, every unit coded by coder and coder2. Document 1: a unanimous unit, a disagreement,
    and a unit only coder has finished. Document 2: a disagreement on a span (and a code), a unanimous
    empty set, and a unit nobody has finished."""
    study = make_study()
    harm, diversion, treatment = study.codes
    a, b, c = study.codable(study.documents[0])
    d, e, f = study.codable(study.documents[1])
    code(study, "coder", a, harm)
    code(study, "coder2", a, harm)
    code(study, "coder", b, harm)
    code(study, "coder2", b, diversion)
    code(study, "coder", c, treatment)
    code(study, "coder", d, (harm, 0, 5))
    code(study, "coder2", d, (harm, 0, 6), treatment)
    code(study, "coder", e)
    code(study, "coder2", e)
    study.seg = dict(zip("abcdef", (a, b, c, d, e, f), strict=True))
    return study


def queue(study, **kwargs):
    return [u.segment_id for u in adjudication_queue(project_id=study.project.id, **kwargs)]


def decide(study, segment, who="adjudicator", **kwargs):
    return decision_decide(
        project_id=study.project.id, actor=study.users[who], segment_id=segment.pk, **kwargs
    )


def final_of(decision):
    return {(f.code_id, f.span_start, f.span_end) for f in decision.final_codings.all()}


# --- the queue -----------------------------------------------------------------------------------------


def test_the_queue_lists_ready_disagreements_and_unanimous_units_separately(pair):
    s = pair.seg
    assert queue(pair) == [s["b"].pk, s["d"].pk]
    assert queue(pair, kind="unanimous") == [s["a"].pk, s["e"].pk]
    # c (one of two coders done) and f (none) are not ready, in any list.
    assert queue(pair, kind="single_coded") == []


def test_queue_filters_by_document_code_and_coder_pair(pair):
    harm, diversion, treatment = pair.codes
    s = pair.seg
    assert queue(pair, document_id=pair.documents[1].pk) == [s["d"].pk]
    assert queue(pair, code_id=diversion.pk) == [s["b"].pk]
    # On d both applied harm, but on different spans: the coders differ on harm there too.
    assert queue(pair, code_id=harm.pk) == [s["b"].pk, s["d"].pk]
    assert queue(pair, code_id=treatment.pk) == [s["d"].pk]
    assert queue(pair, kind="unanimous", code_id=harm.pk) == [s["a"].pk]
    ids = (pair.users["coder"].pk, pair.users["coder2"].pk)
    assert queue(pair, coder_pair=ids) == [s["b"].pk, s["d"].pk]
    assert queue(pair, coder_pair=(pair.users["coder"].pk, pair.users["coder3"].pk)) == []


def test_decided_units_leave_the_open_queue(pair):
    decide(pair, pair.seg["b"], method="accept_coder", coder=label(pair, pair.seg["b"], "coder"))
    assert queue(pair) == [pair.seg["d"].pk]
    assert queue(pair, status="decided") == [pair.seg["b"].pk]
    assert queue(pair, status="all") == [pair.seg["b"].pk, pair.seg["d"].pk]


# --- decisions -----------------------------------------------------------------------------------------


def test_accepting_a_coders_version_records_who_agreed_and_needs_no_rationale(pair):
    harm, *_ = pair.codes
    mark = audit_mark()
    decision = decide(pair, pair.seg["b"], method="accept_coder", coder=label(pair, pair.seg["b"], "coder"))
    assert final_of(decision) == {(harm.pk, None, None)}
    assert decision.provenance == Provenance.ADJUDICATED
    assert decision.adjudicator == pair.users["adjudicator"]
    assert decision.accepted_coder == pair.users["coder"]
    assert decision.agreed_with == [pair.users["coder"].pk]
    assert decision.rationale == ""
    assert unit_of(pair.seg["b"]).adjudicated_at == decision.created_at
    assert actions_since(mark) == ["adjudication.decision.create"]
    event = AuditEvent.objects.get(action="adjudication.decision.create")
    assert event.after["final"] == [[harm.pk, None, None]]
    assert list(audit_chain_breaks(project_id=pair.project.id)) == []


def test_union_and_intersection_differ_from_every_coder_and_need_a_rationale(pair):
    harm, diversion, _ = pair.codes
    with pytest.raises(ApplicationError, match="differs from every coder's set: give a rationale"):
        decide(pair, pair.seg["b"], method="union")
    with pytest.raises(ApplicationError, match="give a rationale"):
        decide(pair, pair.seg["b"], method="union", rationale="   ")
    assert not Decision.objects.exists()
    union = decide(pair, pair.seg["b"], method="union", rationale="Both apply: harm and diversion.")
    assert final_of(union) == {(harm.pk, None, None), (diversion.pk, None, None)}
    assert union.agreed_with == []
    intersection = decide(
        pair, pair.seg["d"], method="intersection", rationale="Neither span is right; nothing applies."
    )
    assert final_of(intersection) == set()
    assert intersection.agreed_with == []


def test_a_custom_set_with_adjusted_spans(pair):
    harm, _, treatment = pair.codes
    d = pair.seg["d"]
    start = d.start_offset
    with pytest.raises(ApplicationError, match="give a rationale"):
        decide(pair, d, method="custom", codings=[FinalSpec(harm.pk, (start, start + 3))])
    decision = decide(
        pair, d, method="custom", codings=[FinalSpec(harm.pk, (start, start + 3))], rationale="Only 'P02'."
    )
    assert final_of(decision) == {(harm.pk, start, start + 3)}
    # A custom set equal to a coder's set agrees with that coder: no rationale needed.
    revised = decide(
        pair,
        d,
        method="custom",
        codings=[FinalSpec(harm.pk, (start, start + 6)), FinalSpec(treatment.pk)],
        supersedes=decision.pk,
    )
    assert revised.agreed_with == [pair.users["coder2"].pk]


@pytest.mark.parametrize(
    ("codings", "message"),
    [
        (
            lambda s, c: [FinalSpec(c.pk, (s.start_offset - 1, s.start_offset + 2))],
            "must lie inside the segment",
        ),
        (lambda s, c: [FinalSpec(c.pk, (s.start_offset + 3, s.start_offset + 3))], "not be empty"),
        (lambda s, c: [FinalSpec(c.pk), FinalSpec(c.pk)], "listed twice"),
        (lambda s, c: [FinalSpec(999_999)], r"Codes \[999999\] are not in this project's codebook"),
    ],
)
def test_bad_custom_sets_are_refused_and_write_nothing(pair, codings, message):
    mark = audit_mark()
    with pytest.raises(ApplicationError, match=message):
        decide(
            pair, pair.seg["b"], method="custom", codings=codings(pair.seg["b"], pair.codes[0]), rationale="x"
        )
    assert not Decision.objects.exists()
    assert not FinalCoding.objects.exists()
    assert unit_of(pair.seg["b"]).adjudicated_at is None
    assert actions_since(mark) == []


def test_units_that_are_not_ready_or_not_units_cannot_be_decided(pair):
    with pytest.raises(ConflictError, match="not ready: 1 of its 2 coders are done"):
        decide(pair, pair.seg["c"], method="accept_coder", coder="A")  # not ready comes first
    interviewer_turn = pair.documents[0].segments.get(position=0)
    with pytest.raises(ApplicationError, match="not a unit of the project's assignment plan"):
        decide(pair, interviewer_turn, method="union")
    with pytest.raises(ApplicationError, match="'Z' is not one of this unit's coders"):
        decide(pair, pair.seg["b"], method="accept_coder", coder="Z")
    with pytest.raises(ApplicationError, match="Only adjudicators and owners"):
        decide(pair, pair.seg["b"], who="coder3", method="union", rationale="x")


def test_a_unit_once_decided_cannot_be_reopened_by_its_coders(pair):
    decide(pair, pair.seg["b"], method="accept_coder", coder=label(pair, pair.seg["b"], "coder2"))
    with pytest.raises(ConflictError, match="has been adjudicated"):
        assignment_reopen(project_id=pair.project.id, user=pair.users["coder"], segment_id=pair.seg["b"].pk)


# --- revisions -----------------------------------------------------------------------------------------


def test_revisions_form_a_chain_and_never_overwrite(pair):
    harm, diversion, _ = pair.codes
    b = pair.seg["b"]
    first = decide(pair, b, method="accept_coder", coder=str(pair.users["coder"].pk))
    with pytest.raises(ConflictError, match=f"send supersedes={first.pk}"):
        decide(pair, b, method="accept_coder", coder=label(pair, b, "coder2"))
    mark = audit_mark()
    second = decide(
        pair,
        b,
        method="accept_coder",
        coder=label(pair, b, "coder2"),
        supersedes=first.pk,
        rationale="Re-read it.",
    )
    with pytest.raises(ConflictError, match=f"send supersedes={second.pk}"):
        decide(pair, b, who="owner", method="union", rationale="x", supersedes=first.pk)
    third = decide(pair, b, who="owner", method="union", rationale="Both.", supersedes=second.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert [first.is_current, second.is_current, third.is_current] == [False, False, True]
    assert (second.supersedes_id, third.supersedes_id) == (first.pk, second.pk)
    assert final_of(first) == {(harm.pk, None, None)}  # unchanged
    assert final_of(second) == {(diversion.pk, None, None)}
    assert third.adjudicator == pair.users["owner"]
    assert Decision.objects.filter(unit=unit_of(b), is_current=True).get() == third
    assert unit_of(b).adjudicated_at == first.created_at
    assert actions_since(mark) == ["adjudication.decision.revise", "adjudication.decision.revise"]
    event = AuditEvent.objects.filter(action="adjudication.decision.revise").order_by("sequence").last()
    assert event.before["id"] == second.pk
    assert event.before["final"] == [[diversion.pk, None, None]]
    assert event.after["supersedes"] == second.pk


def test_the_database_keeps_decisions_and_final_codings_as_written(pair):
    first = decide(pair, pair.seg["b"], method="accept_coder", coder=label(pair, pair.seg["b"], "coder"))
    with rejected("only a revision may change it"):
        Decision.objects.filter(pk=first.pk).update(rationale="rewritten")
    with rejected("only a revision may change it"):
        Decision.objects.filter(pk=first.pk).update(is_current=False, method="union")
    with rejected("never deleted"):  # raw, past Django's PROTECT check, as a script might
        Decision.objects.filter(pk=first.pk)._raw_delete(Decision.objects.db)
    with rejected("append-only"):
        FinalCoding.objects.filter(decision=first).update(span_start=None)
    with rejected("append-only"):
        FinalCoding.objects.filter(decision=first)._raw_delete(FinalCoding.objects.db)


def test_database_constraints_back_the_service_rules(pair):
    harm, *_ = pair.codes
    b, d = pair.seg["b"], pair.seg["d"]
    common = {
        "project": pair.project,
        "unit": unit_of(b),
        "segment": b,
        "decided_by": pair.users["owner"],
    }
    with rejected("decision_rationale_when_differs"):
        Decision.objects.create(
            **common,
            adjudicator=pair.users["owner"],
            provenance="adjudicated",
            method="union",
            agreed_with=[],
        )
    with rejected("decision_adjudicator_iff_adjudicated"):
        Decision.objects.create(**common, provenance="adjudicated", method="union", rationale="x")
    with rejected("decision_method_matches_provenance"):
        Decision.objects.create(**common, provenance="unanimous", method="union")
    Decision.objects.create(**common, provenance="unanimous", method="unanimous")
    with rejected("decision_one_current_per_unit"):
        Decision.objects.create(**common, provenance="unanimous", method="unanimous")
    with rejected("differs from its unit"):
        Decision.objects.create(
            **{**common, "segment": d}, provenance="unanimous", method="unanimous", is_current=False
        )
    decision = Decision.objects.get()
    with rejected("final_coding_span_both_or_neither_and_not_empty"):
        FinalCoding.objects.create(
            decision=decision,
            project=pair.project,
            segment=b,
            code=harm,
            span_start=b.start_offset + 3,
            span_end=b.start_offset + 3,
        )
    with rejected("outside its segment"):
        FinalCoding.objects.create(
            decision=decision,
            project=pair.project,
            segment=b,
            code=harm,
            span_start=0,
            span_end=b.end_offset + 1,
        )
    with rejected("differs from its decision"):
        FinalCoding.objects.create(decision=decision, project=pair.project, segment=d, code=harm)
    FinalCoding.objects.create(decision=decision, project=pair.project, segment=b, code=harm)
    with rejected("final_coding_one_segment_level_per_code"):
        FinalCoding.objects.create(decision=decision, project=pair.project, segment=b, code=harm)


# --- the own-unit rule ---------------------------------------------------------------------------------


@pytest.fixture
def adjudicator_coded():
    """The adjudicator codes too: every unit is coded by coder and the adjudicator."""
    study = make_study(plan_coders=("coder", "adjudicator"), n_documents=1)
    harm, diversion, _ = study.codes
    a, *_ = study.codable()
    code(study, "coder", a, harm)
    code(study, "adjudicator", a, diversion)
    study.seg = {"a": a}
    return study


def test_an_adjudicator_may_not_decide_a_unit_they_coded_unless_the_project_allows(adjudicator_coded):
    study, a = adjudicator_coded, adjudicator_coded.seg["a"]
    with pytest.raises(ApplicationError, match="You coded this unit") as refused:
        decide(study, a, method="accept_coder", coder=label(study, a, "coder"))
    assert refused.value.status == 403
    assert not Decision.objects.exists()
    # The owner did not code it, and may.
    decision = decide(study, a, who="owner", method="accept_coder", coder=label(study, a, "coder"))
    AdjudicationSettings.objects.create(project=study.project, adjudicator_may_adjudicate_own_units=True)
    revised = decide(
        study, a, method="accept_coder", coder=label(study, a, "adjudicator"), supersedes=decision.pk
    )
    assert revised.adjudicator == study.users["adjudicator"]


# --- bulk ----------------------------------------------------------------------------------------------


def test_bulk_unanimous_preview_counts_what_apply_writes(pair):
    pid, owner = pair.project.id, pair.users["owner"]
    preview = decision_bulk_preview(project_id=pid, actor=owner, kind="unanimous")
    assert preview == {
        "kind": "unanimous",
        "m": None,
        "units": 2,
        "final_codings": 1,
        "skipped": {"already_decided": 0},
    }
    assert not Decision.objects.exists()
    mark = audit_mark()
    assert decision_bulk_apply(project_id=pid, actor=owner, kind="unanimous") == preview
    decisions = list(Decision.objects.order_by("segment_id"))
    assert [d.segment_id for d in decisions] == [pair.seg["a"].pk, pair.seg["e"].pk]
    assert {d.provenance for d in decisions} == {Provenance.UNANIMOUS}
    assert all(d.adjudicator is None and d.decided_by == owner for d in decisions)
    assert all(d.agreed_with == [pair.users["coder"].pk, pair.users["coder2"].pk] for d in decisions)
    assert [final_of(d) for d in decisions] == [{(pair.codes[0].pk, None, None)}, set()]
    assert actions_since(mark) == ["adjudication.decision.bulk_unanimous"] * 2
    assert list(audit_chain_breaks(project_id=pid)) == []
    # Applying again decides nothing new.
    again = decision_bulk_apply(project_id=pid, actor=owner, kind="unanimous")
    assert (again["units"], again["skipped"]) == (0, {"already_decided": 2})


@pytest.fixture
def trio():
    """Every unit coded by three coders. Unit a: two of three agree; b: all differ; c: unanimous."""
    study = make_study(plan_coders=("coder", "coder2", "coder3"), n_documents=1)
    harm, diversion, treatment = study.codes
    a, b, c = study.codable()
    for name, codes_a, codes_b in (
        ("coder", [harm], [harm]),
        ("coder2", [harm], [diversion]),
        ("coder3", [harm, treatment], [treatment]),
    ):
        code(study, name, a, *codes_a)
        code(study, name, b, *codes_b)
        code(study, name, c, diversion)
    study.seg = {"a": a, "b": b, "c": c}
    return study


def test_bulk_majority_takes_the_set_held_by_m_coders(trio):
    pid, adj = trio.project.id, trio.users["adjudicator"]
    with pytest.raises(ApplicationError, match="m must be at least 2"):
        decision_bulk_preview(project_id=pid, actor=adj, kind="majority", m=1)
    with pytest.raises(ApplicationError, match="A majority needs m"):
        decision_bulk_preview(project_id=pid, actor=adj, kind="majority")
    too_many = decision_bulk_preview(project_id=pid, actor=adj, kind="majority", m=4)
    assert (too_many["units"], too_many["skipped"]["fewer_coders_than_m"]) == (0, 2)
    preview = decision_bulk_preview(project_id=pid, actor=adj, kind="majority", m=2)
    assert preview == {
        "kind": "majority",
        "m": 2,
        "units": 1,
        "final_codings": 1,
        "skipped": {"already_decided": 0, "fewer_coders_than_m": 0, "no_majority": 1, "tied": 0},
    }
    assert decision_bulk_apply(project_id=pid, actor=adj, kind="majority", m=2) == preview
    decision = Decision.objects.get()
    assert decision.segment_id == trio.seg["a"].pk
    assert (decision.provenance, decision.method) == ("majority", "majority")
    assert decision.agreed_with == [trio.users["coder"].pk, trio.users["coder2"].pk]
    assert final_of(decision) == {(trio.codes[0].pk, None, None)}
    # The unanimous unit is left to the unanimous action.
    assert decision_bulk_apply(project_id=pid, actor=adj, kind="unanimous")["units"] == 1


def test_single_coded_units_enter_the_final_coding_as_they_are():
    # Two transcripts; the reliability sample (k = 2) takes one, the other is coded by one coder.
    study = make_study(sample_fraction=0.5)
    harm, *_ = study.codes
    single_doc = next(d for d in study.documents if unit_of(study.codable(d)[0]).planned_coders == 1)
    first, second, third = study.codable(single_doc)
    holder = unit_of(first).assignments.get().coder
    name = next(n for n, u in study.users.items() if u == holder)
    code(study, name, first, (harm, 0, 3))
    code(study, name, second)
    code(study, name, third, done=False)
    pid, owner = study.project.id, study.users["owner"]
    assert [u.segment_id for u in adjudication_queue(project_id=pid, kind="single_coded")] == [
        first.pk,
        second.pk,
    ]
    preview = decision_bulk_preview(project_id=pid, actor=owner, kind="single_coded")
    assert (preview["units"], preview["final_codings"]) == (2, 1)
    assert decision_bulk_apply(project_id=pid, actor=owner, kind="single_coded") == preview
    decision = Decision.objects.get(segment=first)
    assert (decision.provenance, decision.method, decision.agreed_with) == (
        "single_coded",
        "single",
        [holder.pk],
    )
    assert final_sets_by_segment(project_id=pid) == {
        first.pk: {(harm.pk, first.start_offset, first.start_offset + 3)},
        second.pk: set(),
    }


def test_bulk_actions_are_for_adjudicators_and_owners(pair):
    with pytest.raises(ApplicationError, match="Only adjudicators and owners"):
        decision_bulk_apply(project_id=pair.project.id, actor=pair.users["coder"], kind="unanimous")
    with pytest.raises(ApplicationError, match="Unknown bulk action"):
        decision_bulk_preview(project_id=pair.project.id, actor=pair.users["owner"], kind="all")
    assert not Decision.objects.exists()


# --- the contract for exports --------------------------------------------------------------------------


def test_final_coding_rows_stream_the_current_decisions(pair, django_assert_num_queries):
    harm, diversion, _ = pair.codes
    first = decide(pair, pair.seg["b"], method="accept_coder", coder=label(pair, pair.seg["b"], "coder"))
    second = decide(pair, pair.seg["b"], method="union", rationale="Both.", supersedes=first.pk)
    decision_bulk_apply(project_id=pair.project.id, actor=pair.users["owner"], kind="unanimous")
    unanimous = Decision.objects.get(segment=pair.seg["a"])
    with django_assert_num_queries(1):
        rows = list(final_coding_rows(project_id=pair.project.id))
    assert rows == [
        {
            "segment_id": pair.seg["a"].pk,
            "code_id": harm.pk,
            "span_start": None,
            "span_end": None,
            "provenance": "unanimous",
            "decision_id": unanimous.pk,
            "adjudicator_id": None,
            "adjudicator_username": None,
            "rationale": "",
            "decided_at": unanimous.created_at,
        },
        *[
            {
                "segment_id": pair.seg["b"].pk,
                "code_id": c.pk,
                "span_start": None,
                "span_end": None,
                "provenance": "adjudicated",
                "decision_id": second.pk,
                "adjudicator_id": pair.users["adjudicator"].pk,
                "adjudicator_username": "adjudicator",
                "rationale": "Both.",
                "decided_at": second.created_at,
            }
            for c in sorted((harm, diversion), key=lambda c: c.pk)
        ],
    ]
    assert final_sets_by_segment(project_id=pair.project.id) == {
        pair.seg["a"].pk: {(harm.pk, None, None)},
        pair.seg["b"].pk: {(harm.pk, None, None), (diversion.pk, None, None)},
        pair.seg["e"].pk: set(),
    }
    assert connection.vendor == "postgresql"
