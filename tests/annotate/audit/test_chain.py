"""The hash template the database completes (migration 0003) gives exactly ``event_hash``'s hash."""

import datetime as dt
import hashlib

from hypothesis import given
from hypothesis import strategies as st

from annotate.audit.chain import event_hash, event_hash_template

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=8,
)
texts = st.text().filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t))


def completed(template, prev_hash, sequence):
    head, middle, tail = template
    return hashlib.sha256((head + prev_hash + middle + str(sequence) + tail).encode("utf-8")).hexdigest()


@given(
    project_id=st.integers(1, 2**40),
    sequence=st.integers(1, 2**50),
    prev_hash=st.text("0123456789abcdef", min_size=64, max_size=64),
    actor_id=st.none() | st.integers(1, 2**31),
    action=texts,
    object_id=texts,
    before=json_values,
    after=json_values,
    reason=texts,
)
def test_the_template_completed_gives_the_events_hash(
    project_id, sequence, prev_hash, actor_id, action, object_id, before, after, reason
):
    fields = {
        "project_id": project_id,
        "actor_id": actor_id,
        "action": action,
        "object_type": "coding.coding",
        "object_id": object_id,
        "before": before,
        "after": after,
        "reason": reason,
        "request_id": "r-1",
        "created_at": dt.datetime(2026, 11, 27, 1, 2, 3, 456789, tzinfo=dt.UTC),
    }
    template = event_hash_template(**fields)
    assert completed(template, prev_hash, sequence) == event_hash(
        **fields, prev_hash=prev_hash, sequence=sequence
    )


def test_field_texts_that_look_like_the_chain_fields_do_not_confuse_it():
    fields = {
        "project_id": 1,
        "actor_id": None,
        "action": "coding.create",
        "object_type": "coding.coding",
        "object_id": "7",
        "before": {"prev_hash": "x", "sequence": "y", "nested": {"prev_hash": '"', "sequence": 3}},
        "after": ['"sequence":', '"prev_hash":"'],
        "reason": '","prev_hash":"0","sequence":1,"',
        "request_id": "",
        "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    template = event_hash_template(**fields)
    assert completed(template, "f" * 64, 12) == event_hash(**fields, prev_hash="f" * 64, sequence=12)
