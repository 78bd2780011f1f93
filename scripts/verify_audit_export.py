#!/usr/bin/env python3
"""Verify an exported Intercoder audit trail offline (standard library only).

Usage: python scripts/verify_audit_export.py FILE [--expect-last HASH]

FILE is an audit export (``.csv`` or ``.jsonl``, from ``POST …/exports/ {"kind": "audit"}``). For each
event, in file order, the script checks that sequence numbers run 1, 2, 3 … without gaps, that
``prev_hash`` is the previous event's ``hash`` (64 zeros for the first), and that ``hash`` equals
SHA-256 of the canonical JSON (sorted keys, no whitespace, UTF-8) of
``project, sequence, prev_hash, actor, action, object_type, object_id, before, after, reason, request_id,
created_at``, the same encoding as ``annotate/audit/chain.py``. With ``--expect-last``, the last hash must
also equal the one you kept elsewhere (this proves no event was cut from the end).

Exit status 0 when the chain holds; 1 with one line per problem otherwise; 2 when the file cannot be read.
"""

import argparse
import csv
import hashlib
import json
import sys

GENESIS_HASH = "0" * 64


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _int_or_none(value):
    if value is None or value == "":
        return None
    return int(value)


def read_events(path):
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"line {number} is not JSON: {exc}") from exc
        return
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            for key in ("before", "after"):
                row[key] = json.loads(row[key]) if row[key] != "" else None
            yield row


def verify(events, expect_last=None):
    problems = []
    expected_prev, expected_sequence, last_hash, count = GENESIS_HASH, 1, None, 0
    for event in events:
        count += 1
        sequence = _int_or_none(event["sequence"])
        where = f"event #{sequence}"
        if sequence != expected_sequence:
            problems.append(
                f"{where}: expected sequence {expected_sequence} (an event is missing or out of order)"
            )
        if event["prev_hash"] != expected_prev:
            problems.append(f"{where}: does not link to the previous event's hash")
        payload = {
            "project": _int_or_none(event["project"]),
            "sequence": sequence,
            "prev_hash": event["prev_hash"],
            "actor": _int_or_none(event["actor"]),
            "action": event["action"],
            "object_type": event["object_type"],
            "object_id": str(event["object_id"]),
            "before": event["before"],
            "after": event["after"],
            "reason": event["reason"] or "",
            "request_id": event["request_id"] or "",
            "created_at": event["created_at"],
        }
        digest = hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
        if digest != event["hash"]:
            problems.append(f"{where}: was altered (its content no longer matches its hash)")
        expected_prev, expected_sequence, last_hash = event["hash"], sequence + 1, event["hash"]
    if count == 0:
        problems.append("the file holds no events")
    if expect_last is not None and last_hash != expect_last:
        problems.append(f"the last hash is {last_hash}, not the expected {expect_last} (events were cut off)")
    return count, last_hash, problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--expect-last", default=None, help="the latest hash you recorded elsewhere")
    args = parser.parse_args(argv)
    try:
        count, last_hash, problems = verify(read_events(args.file), args.expect_last)
    except (OSError, ValueError, KeyError, csv.Error) as exc:
        print(f"cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    if problems:
        print(f"FAILED: {len(problems)} problem(s) in {count} event(s)")
        return 1
    print(f"OK: {count} events, chain intact, last hash {last_hash}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
