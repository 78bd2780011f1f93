"""The demo study comes coded: a plan with a stratified 25% sample coded blind by all three coders,
synthetic codings with realistic disagreement, and work left for a newcomer."""

import pytest
from django.core.management import call_command

from annotate.assignments.models import Assignment, AssignmentPlan, Unit
from annotate.audit.models import AuditEvent
from annotate.audit.selectors import audit_chain_breaks
from annotate.coding.models import Coding
from annotate.coding.selectors import coding_ratings_snapshot
from annotate.coding_loop.queue import queue_next
from annotate.demo.services import DEMO_PROJECT_NAME
from annotate.projects.models import Project

pytestmark = pytest.mark.django_db


def test_the_demo_is_planned_coded_and_still_idempotent():
    call_command("load_demo")
    project = Project.objects.get(name=DEMO_PROJECT_NAME)
    counts = (Coding.objects.count(), Assignment.objects.count(), AuditEvent.objects.count())
    call_command("load_demo")
    assert (Coding.objects.count(), Assignment.objects.count(), AuditEvent.objects.count()) == counts

    plan = AssignmentPlan.objects.get(project=project)
    assert (plan.unit_type, plan.overlap, plan.sample_fraction, plan.stratify_by) == (
        "document",
        3,
        0.25,
        "region",
    )
    sampled = set(Unit.objects.filter(plan=plan, planned_coders=3).values_list("document_id", flat=True))
    assert len(sampled) == 4
    regions = set(Unit.objects.filter(plan=plan, planned_coders=3).values_list("stratum", flat=True))
    assert regions == {"Northeast", "Midwest", "South", "West"}

    # Every coding event is in the chain, which verifies; every coding has its event.
    assert (
        AuditEvent.objects.filter(project=project, action="coding.create").count()
        == Coding.objects.filter(project=project).count()
    )
    assert list(audit_chain_breaks(project_id=project.id)) == []

    # Work is waiting for each coder, and much is done.
    for username in ("ana", "ben", "chioma"):
        user = project.memberships.get(user__username=username).user
        assert queue_next(project_id=project.id, user=user) is not None
    statuses = list(Assignment.objects.filter(project=project).values_list("status", flat=True))
    assert 0.6 < statuses.count("done") / len(statuses) < 0.95

    # Disagreement is real but not total, and Ben is the strictest coder.
    snap = coding_ratings_snapshot(project_id=project.id)
    assert snap.counts["pairable_units"] > 50
    per_coder = {int(c): int((snap.coding_coder == i).sum()) for i, c in enumerate(snap.coder_ids)}
    ben = project.memberships.get(user__username="ben").user_id
    assert per_coder[ben] == min(per_coder.values())
    sets = {}
    for u, c, k in zip(snap.coding_unit, snap.coding_coder, snap.coding_code, strict=True):
        sets.setdefault((int(u), int(c)), set()).add(int(k))
    pairable = [u for u in range(len(snap.unit_ids)) if snap.rated[u].sum() == 3]
    agree = sum(1 for u in pairable if len({frozenset(sets.get((u, c), set())) for c in range(3)}) == 1)
    assert 0.2 < agree / len(pairable) < 0.95
