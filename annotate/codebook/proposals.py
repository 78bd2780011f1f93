"""Code proposals in a thematic pass: a coder proposes a code on the passage they read; the owner accepts
it (it becomes a code, in a new codebook version), merges it into an existing code, or rejects it, always
with a note for the coder. Each step writes its audit event in the same transaction."""

from django.db import transaction
from django.utils import timezone

from annotate.audit.services import audit_record, snapshot
from annotate.core.exceptions import ApplicationError, ConflictError
from annotate.core.locks import lock_row

from .models import Code, Codebook, CodeProposal, ProposalStatus
from .services import _code_create, _lock, _validate_name, _version_create

PROPOSAL_FIELDS = [
    "name",
    "definition",
    "segment",
    "parent",
    "status",
    "code",
    "decided_by",
    "decided_at",
    "decision_note",
    "proposed_by",
]


def code_proposal_create(
    *, codebook: Codebook, actor, name: str, definition: str, segment=None, parent: Code | None = None
) -> CodeProposal:
    """A coder proposes a code during a thematic pass; the PI decides (``code_proposal_decide``)."""
    name = _validate_name(name)
    definition = (definition or "").strip()
    if not definition:
        raise ApplicationError("A proposed code needs a definition.")
    if segment is not None and segment.document.project_id != codebook.project_id:
        raise ApplicationError("That segment belongs to another project.")
    if parent is not None:
        if parent.codebook_id != codebook.id:
            raise ApplicationError("The parent code belongs to another codebook.")
        if not parent.is_active:
            raise ApplicationError(f"The code {parent.name!r} is deactivated; propose under an active code.")
    with transaction.atomic():
        proposal = CodeProposal.objects.create(
            codebook=codebook,
            proposed_by=actor,
            name=name,
            definition=definition,
            segment=segment,
            parent=parent,
        )
        audit_record(
            project_id=codebook.project_id,
            actor=actor,
            action="code_proposal.create",
            obj=proposal,
            after=snapshot(proposal, fields=PROPOSAL_FIELDS),
        )
    return proposal


_DECISION_ACTIONS: dict[str, str] = {
    ProposalStatus.ACCEPTED: "code_proposal.accept",
    ProposalStatus.MERGED: "code_proposal.merge",
    ProposalStatus.REJECTED: "code_proposal.reject",
}


def code_proposal_decide(
    *, proposal: CodeProposal, actor, decision: str, note: str, target: Code | None = None
) -> CodeProposal:
    """Accept (the proposal becomes a code, in a new version), merge into ``target`` (an existing code;
    the codebook does not change) or reject. The note is the decision's rationale."""
    note = (note or "").strip()
    if not note:
        raise ApplicationError("Give a note with the decision.")
    if decision not in (ProposalStatus.ACCEPTED, ProposalStatus.MERGED, ProposalStatus.REJECTED):
        raise ApplicationError("The decision is accept, merge or reject.")
    if decision == ProposalStatus.MERGED and target is None:
        raise ApplicationError("Name the existing code (target) to merge the proposal into.")
    if decision != ProposalStatus.MERGED and target is not None:
        raise ApplicationError("A target is only given when merging a proposal into an existing code.")
    with transaction.atomic():
        codebook = _lock(proposal.codebook)
        proposal = lock_row(CodeProposal, proposal.pk, what="proposal")
        if proposal.status != ProposalStatus.PENDING:
            raise ConflictError(f"This proposal has already been decided ({proposal.status}).")
        before = snapshot(proposal, fields=PROPOSAL_FIELDS)
        if decision == ProposalStatus.ACCEPTED:
            parent = proposal.parent
            if parent is not None and parent.merged_into_id is not None:
                raise ApplicationError(
                    f"The proposed parent {parent.name!r} has since been merged into another code."
                )
            proposal.code = _code_create(
                codebook=codebook,
                actor=actor,
                name=proposal.name,
                parent=parent,
                fields={"definition": proposal.definition},
                reason=note,
            )
        elif decision == ProposalStatus.MERGED:
            assert target is not None  # checked above
            target = lock_row(Code, target.pk)
            if target.codebook_id != codebook.id:
                raise ApplicationError("The target code belongs to another codebook.")
            if not target.is_active:
                raise ApplicationError(f"The target {target.name!r} is deactivated; choose an active code.")
            proposal.code = target
        proposal.status = decision
        proposal.decided_by, proposal.decided_at, proposal.decision_note = actor, timezone.now(), note
        proposal.save()
        audit_record(
            project_id=codebook.project_id,
            actor=actor,
            action=_DECISION_ACTIONS[decision],
            obj=proposal,
            before=before,
            after=snapshot(proposal, fields=PROPOSAL_FIELDS),
            reason=note,
        )
        if decision == ProposalStatus.ACCEPTED:
            _version_create(
                codebook=codebook,
                actor=actor,
                rationale=f"Accepted the proposal {proposal.name!r} by {proposal.proposed_by}: {note}",
            )
    return proposal
