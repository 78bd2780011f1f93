"""The hash chain: how an event's hash is computed, and how a chain is verified.

Each event's hash is SHA-256 over a canonical JSON encoding (sorted keys, no whitespace, UTF-8) of its
fields and the previous event's hash. The first event of a project links to ``GENESIS_HASH``. A reader
can verify an exported trail offline by recomputing the same encoding (see README, "Verifying the audit
trail").
"""

import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _payload(
    *,
    project_id: int,
    sequence: Any,
    prev_hash: str,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    reason: str,
    request_id: str,
    created_at: datetime,
) -> dict[str, Any]:
    return {
        "project": project_id,
        "sequence": sequence,
        "prev_hash": prev_hash,
        "actor": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "reason": reason,
        "request_id": request_id,
        "created_at": created_at.isoformat(),
    }


def event_hash(**fields: Any) -> str:
    """The event's hash: SHA-256 of the canonical JSON of its fields (``_payload``'s keyword arguments)."""
    return hashlib.sha256(canonical_json(_payload(**fields)).encode("utf-8")).hexdigest()


def event_hash_template(**fields: Any) -> tuple[str, str, str]:
    """The event's canonical JSON with its two chain fields left open, as ``(head, middle, tail)``: for
    any predecessor hash ``prev`` and sequence number ``n``, ``event_hash(..., prev_hash=prev,
    sequence=n)`` is SHA-256 of ``head + prev + middle + str(n) + tail`` (UTF-8). This lets the database
    hash the event in the statement that reads the chain's head (migration 0003), with the encoding
    written once, here. ``fields`` are ``event_hash``'s without ``sequence`` and ``prev_hash``.
    """
    nonce = secrets.token_hex(16)  # marks that no field's text can contain by chance
    prev_mark, sequence_mark = f"prev-{nonce}", f"sequence-{nonce}"
    text = canonical_json(_payload(**fields, prev_hash=prev_mark, sequence=sequence_mark))
    # Sorted keys: "prev_hash" comes before "sequence". The hash is a JSON string (its quotes stay in
    # the text); the sequence is a JSON number (its mark's quotes go).
    head, rest = text.split(prev_mark)
    middle, tail = rest.split(f'"{sequence_mark}"')
    return head, middle, tail


@dataclass(frozen=True)
class ChainBreak:
    project_id: int
    event_id: int
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"project {self.project_id}: event {self.event_id} (#{self.sequence}) {self.problem}"


def verify_chain(events: Iterable[Any]) -> Iterator[ChainBreak]:
    """Yield the breaks in one project's events, given in sequence order (objects with model fields)."""
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    for event in events:
        if event.sequence != expected_sequence:
            yield ChainBreak(
                event.project_id,
                event.id,
                event.sequence,
                f"has sequence {event.sequence}, expected {expected_sequence} (an event is missing)",
            )
        if event.prev_hash != expected_prev:
            yield ChainBreak(
                event.project_id, event.id, event.sequence, "does not link to the previous event's hash"
            )
        recomputed = event_hash(
            project_id=event.project_id,
            sequence=event.sequence,
            prev_hash=event.prev_hash,
            actor_id=event.actor_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            before=event.before,
            after=event.after,
            reason=event.reason,
            request_id=event.request_id,
            created_at=event.created_at,
        )
        if recomputed != event.hash:
            yield ChainBreak(
                event.project_id,
                event.id,
                event.sequence,
                "was altered: its content no longer matches its hash",
            )
        expected_prev = event.hash
        expected_sequence = event.sequence + 1
