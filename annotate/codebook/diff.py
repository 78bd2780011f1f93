"""What changed between two codebook versions, computed from their immutable snapshots alone.

Pure functions over the snapshot lists stored in ``CodebookVersion.snapshot`` (one dict per code, keyed by
the code's id; snapshots written before a field existed simply lack it).
"""

from typing import Any

from .exchange import path_text

# Reported per code under "changed"; parent, is_active, merged_into and split_from have their own lists.
DIFF_FIELDS = [
    "name",
    "definition",
    "inclusion",
    "exclusion",
    "typical_example",
    "atypical_example",
    "colour",
    "position",
]

Snapshot = list[dict[str, Any]]


def snapshot_paths(snapshot: Snapshot) -> dict[int, str]:
    """Each code's "Theme > Code > Sub-code" path as it stood in the snapshot, keyed by id."""
    rows = {code["id"]: code for code in snapshot}
    paths: dict[int, str] = {}

    def path(code_id: int, seen: frozenset = frozenset()) -> str:
        if code_id not in paths:
            row = rows[code_id]
            parent = row.get("parent")
            if parent is None or parent not in rows or parent in seen:
                paths[code_id] = row["name"]
            else:
                paths[code_id] = path_text([path(parent, seen | {code_id}), row["name"]])
        return paths[code_id]

    for code_id in rows:
        path(code_id)
    return paths


def snapshot_annotate(snapshot: Snapshot) -> Snapshot:
    """The snapshot's codes with their path and, for split originals, the codes they were split into."""
    paths = snapshot_paths(snapshot)
    split_into: dict[int, list[int]] = {}
    for code in snapshot:
        if code.get("split_from") is not None:
            split_into.setdefault(code["split_from"], []).append(code["id"])
    return [
        {**code, "path": paths[code["id"]], "split_into": split_into.get(code["id"], [])} for code in snapshot
    ]


def _ref(code: dict[str, Any], paths: dict[int, str]) -> dict[str, Any]:
    return {"id": code["id"], "name": code["name"], "path": paths[code["id"]]}


def codebook_diff(old: Snapshot, new: Snapshot) -> dict[str, list[dict[str, Any]]]:
    """Added, removed, changed (field by field), moved, deactivated, reactivated, merged and split codes
    going from snapshot ``old`` to snapshot ``new``.

    A merge shows as ``merged`` (``{"code", "into"}``) rather than also as a plain deactivation; a split
    shows as ``split`` (``{"code", "into": [...]}``), its new codes also being listed under ``added``.
    """
    old_by_id = {c["id"]: c for c in old}
    new_by_id = {c["id"]: c for c in new}
    old_paths, new_paths = snapshot_paths(old), snapshot_paths(new)
    result: dict[str, list[dict[str, Any]]] = {
        key: []
        for key in ("added", "removed", "changed", "moved", "deactivated", "reactivated", "merged", "split")
    }
    split: dict[int, list[dict[str, Any]]] = {}
    for code_id, code in new_by_id.items():
        before = old_by_id.get(code_id)
        if before is None:
            result["added"].append(_ref(code, new_paths))
        if code.get("split_from") is not None and (before is None or before.get("split_from") is None):
            split.setdefault(code["split_from"], []).append(_ref(code, new_paths))
        if before is None:
            continue
        fields = {
            name: {"from": before.get(name), "to": code.get(name)}
            for name in DIFF_FIELDS
            if before.get(name) != code.get(name)
        }
        if fields:
            result["changed"].append({**_ref(code, new_paths), "fields": fields})
        if before.get("parent") != code.get("parent"):
            result["moved"].append(
                {
                    **_ref(code, new_paths),
                    "from_parent": before.get("parent"),
                    "to_parent": code.get("parent"),
                    "from_path": old_paths[code_id],
                    "to_path": new_paths[code_id],
                }
            )
        if code.get("merged_into") is not None and before.get("merged_into") is None:
            into = new_by_id.get(code["merged_into"])
            result["merged"].append(
                {
                    "code": _ref(code, new_paths),
                    "into": _ref(into, new_paths) if into else {"id": code["merged_into"]},
                }
            )
        elif before.get("is_active", True) and not code.get("is_active", True):
            result["deactivated"].append(_ref(code, new_paths))
        elif not before.get("is_active", True) and code.get("is_active", True):
            result["reactivated"].append(_ref(code, new_paths))
    for code_id, code in old_by_id.items():
        if code_id not in new_by_id:
            result["removed"].append(_ref(code, old_paths))
    for original_id, parts in sorted(split.items()):
        original = new_by_id.get(original_id) or old_by_id.get(original_id)
        paths = new_paths if original_id in new_by_id else old_paths
        result["split"].append(
            {"code": _ref(original, paths) if original else {"id": original_id}, "into": parts}
        )
    return result
