"""The interviews x codes incidence matrix: presence per interview, analysis order, subtrees and themes.

``incidence[i, k]`` is True when code *k* was applied anywhere in interview *i* (specification §1.3).
:func:`analysis_order` gives the deterministic order of the rows (§1.2); :func:`filter_subtree` keeps a
branch of the codebook and :func:`collapse_to_themes` merges codes into their themes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt

from workers.stats.saturation.validation import BoolMatrix, SaturationInputError, _as_incidence


def incidence_matrix(
    code_sets: Sequence[Iterable[Hashable]], code_labels: Sequence[Hashable] | None = None
) -> tuple[BoolMatrix, list[Hashable]]:
    """Build the interviews x codes presence matrix from one set of code ids per interview.

    ``incidence[i, k] = 1`` if code ``k`` is in ``C_i`` (specification §1.3: repeated
    segments or coders count once). Without ``code_labels`` the columns are the codes in
    order of first appearance (ties within an interview in sorted order when sortable).

    Parameters
    ----------
    code_sets : sequence of iterables
        ``C_1 .. C_N`` in analysis order; an empty iterable is an interview with no codes.
    code_labels : sequence, optional
        Column order; every code in ``code_sets`` must be listed.

    Returns
    -------
    (ndarray of bool, shape (N, S), list of code labels)

    References
    ----------
    Colwell et al. (2012), *J Plant Ecol* 5:3-21 (sample-based incidence data).

    Examples
    --------
    >>> m, labels = incidence_matrix([{"a", "b"}, set(), {"b", "c"}])
    >>> labels
    ['a', 'b', 'c']
    >>> m.astype(int).tolist()
    [[1, 1, 0], [0, 0, 0], [0, 1, 1]]
    """
    sets = [set(s) for s in code_sets]
    if code_labels is None:
        labels: list[Hashable] = []
        seen: set[Hashable] = set()
        for s in sets:
            new = sorted((c for c in s if c not in seen), key=_natural_key)
            labels.extend(new)
            seen.update(new)
    else:
        labels = list(code_labels)
        if len(set(labels)) != len(labels):
            raise SaturationInputError("invalid_labels", "code labels must be unique")
    index = {c: k for k, c in enumerate(labels)}
    out = np.zeros((len(sets), len(labels)), dtype=np.bool_)
    for i, s in enumerate(sets):
        for c in s:
            if c not in index:
                raise SaturationInputError("unknown_code", f"code {c!r} is not in code_labels")
            out[i, index[c]] = True
    return out, labels


def _natural_key(value: Hashable) -> tuple[int, float, str]:
    """Numbers by value, everything else by its string (only used to order new columns)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _iso_date(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise SaturationInputError(
            "invalid_date", f"conducted_on must be an ISO date, got {value!r}"
        ) from None


def analysis_order(
    pks: Sequence[int],
    *,
    sequence: Sequence[int | None] | None = None,
    conducted_on: Sequence[date | str | None] | None = None,
    order_by: Literal["auto", "conducted", "sequence"] = "auto",
) -> tuple[list[int], Literal["conducted", "sequence"]]:
    """Deterministic analysis order of the included interviews (specification §1.2).

    ``order_by="auto"`` (the default): an explicit sequence wins; when every interview has a
    ``sequence`` they are sorted by it, otherwise by conducted date. ``"sequence"`` (the PI's analysis
    order, "order coded") requires a sequence on every interview (``incomplete_sequence``);
    ``"conducted"`` sorts by the key (``conducted_on`` missing -> last, ``conducted_on`` ascending,
    ``pk`` ascending). Whenever the sequence orders the interviews, a value given twice is refused
    (``duplicate_sequence``, naming the interviews), never tie-broken. Labels are never used, because
    ``"P10" < "P3"`` as strings.

    Parameters
    ----------
    pks : sequence of int
        Stable primary keys (unique).
    sequence, conducted_on : sequences, optional
        Per-interview analysis sequence and ISO date (``None`` when missing).
    order_by : {"auto", "conducted", "sequence"}

    Returns
    -------
    (list of int, str)
        Indices into the inputs in analysis order, and the order actually used.

    References
    ----------
    Guest, Namey & Chen (2020) assess saturation prospectively in data-collection order.

    Examples
    --------
    >>> analysis_order([3, 10, 7], conducted_on=["2024-02-01", None, "2024-01-15"])
    ([2, 0, 1], 'conducted')
    >>> analysis_order([3, 10, 7], sequence=[2, 1, 3], conducted_on=["2024-02-01", None, "2024-01-15"])
    ([1, 0, 2], 'sequence')
    >>> analysis_order([3, 10, 7], sequence=[2, 1, 3], order_by="conducted")
    ([0, 2, 1], 'conducted')
    """
    n = len(pks)
    if len(set(pks)) != n:
        raise SaturationInputError("duplicate_pk", "interview primary keys must be unique")
    if order_by not in ("auto", "conducted", "sequence"):
        raise SaturationInputError(
            "invalid_parameter", f"order_by must be 'auto', 'conducted' or 'sequence', got {order_by!r}"
        )
    if sequence is not None and len(sequence) != n:
        raise SaturationInputError("invalid_labels", f"expected {n} sequence values, got {len(sequence)}")
    if conducted_on is not None and len(conducted_on) != n:
        raise SaturationInputError(
            "invalid_labels", f"expected {n} conducted_on values, got {len(conducted_on)}"
        )
    complete = sequence is not None and all(s is not None for s in sequence)
    if order_by == "sequence" and not complete:
        missing = [int(pks[i]) for i in range(n) if sequence is None or sequence[i] is None]
        raise SaturationInputError(
            "incomplete_sequence",
            f"order_by 'sequence' needs a sequence on every interview; missing: {missing}",
        )
    if order_by != "conducted" and complete and n and sequence is not None:
        seq = [int(s) for s in sequence if s is not None]
        holders: dict[int, list[int]] = {}
        for i, value in enumerate(seq):
            holders.setdefault(value, []).append(int(pks[i]))
        dupes = {v: h for v, h in sorted(holders.items()) if len(h) > 1}
        if dupes:
            detail = "; ".join(f"{v} on interviews {h}" for v, h in dupes.items())
            raise SaturationInputError(
                "duplicate_sequence", f"each interview needs its own sequence number; duplicated: {detail}"
            )
        return sorted(range(n), key=lambda i: seq[i]), "sequence"
    raw_dates: Sequence[date | str | None] = [None] * n if conducted_on is None else conducted_on
    dates = [None if d is None else _iso_date(d) for d in raw_dates]

    def key(i: int) -> tuple[bool, date, int]:
        d = dates[i]
        return (d is None, d if d is not None else date.min, int(pks[i]))

    return sorted(range(n), key=key), "conducted"


def _ancestors(code: Hashable, parent_of: Mapping[Hashable, Hashable | None]) -> list[Hashable]:
    chain = [code]
    seen = {code}
    node = code
    while node in parent_of and parent_of[node] is not None:
        node = parent_of[node]
        if node in seen:
            raise SaturationInputError("codebook_cycle", f"the codebook has a cycle through {node!r}")
        seen.add(node)
        chain.append(node)
    return chain  # code, parent, ..., top-level


def filter_subtree(
    incidence: npt.ArrayLike,
    code_labels: Sequence[Hashable],
    parent_of: Mapping[Hashable, Hashable | None],
    subtree: Hashable,
) -> tuple[BoolMatrix, list[Hashable]]:
    """Keep the codes at or below ``subtree`` in the codebook hierarchy.

    A code is kept when ``subtree`` is the code itself or one of its ancestors, following
    ``parent_of`` (code id -> parent id, ``None`` or absent for a top-level theme).

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    code_labels : sequence, length S
    parent_of : mapping
    subtree : hashable

    Returns
    -------
    (ndarray of bool, shape (N, S'), list of the kept labels)

    References
    ----------
    Francis et al. (2010) apply their stopping rule per construct (specification §6).

    Examples
    --------
    >>> m, labels = filter_subtree([[1, 1, 0]], ["a1", "b1", "a2"], {"a1": "A", "a2": "A", "b1": "B"}, "A")
    >>> labels, m.astype(int).tolist()
    (['a1', 'a2'], [[1, 0]])
    """
    x = _as_incidence(incidence)
    labels = list(code_labels)
    if len(labels) != x.shape[1]:
        raise SaturationInputError("invalid_labels", f"expected {x.shape[1]} code labels, got {len(labels)}")
    keep = [k for k, c in enumerate(labels) if subtree in _ancestors(c, parent_of)]
    return x[:, keep], [labels[k] for k in keep]


def collapse_to_themes(
    incidence: npt.ArrayLike,
    code_labels: Sequence[Hashable],
    parent_of: Mapping[Hashable, Hashable | None],
    *,
    root: Hashable | None = None,
) -> tuple[BoolMatrix, list[Hashable]]:
    """Collapse codes to themes: a theme is present in an interview if any of its codes is.

    Each code is mapped to its top-level ancestor by following ``parent_of`` (code id ->
    parent id; ``None`` or absent marks a top-level theme, so a top-level code is its own
    theme). With ``root`` (a subtree), only codes below ``root`` are kept and each maps to its
    ancestor that is a direct child of ``root`` (a code equal to ``root`` maps to ``root``).
    ``theme_present[i, t] = OR_{k -> t} incidence[i, k]`` (specification §1.3).

    Parameters
    ----------
    incidence : array_like of bool, shape (N, S)
    code_labels : sequence, length S
    parent_of : mapping
    root : hashable, optional

    Returns
    -------
    (ndarray of bool, shape (N, T), list of theme labels in order of first listed code)

    References
    ----------
    Guest, Bunce & Johnson (2006), *Field Methods* 18:59-82 (codes grouped into themes).

    Examples
    --------
    >>> m, themes = collapse_to_themes(
    ...     [[1, 0, 0], [0, 1, 1]], ["a1", "a2", "b1"], {"a1": "A", "a2": "A", "b1": "B"})
    >>> themes, m.astype(int).tolist()
    (['A', 'B'], [[1, 0], [1, 1]])
    """
    x = _as_incidence(incidence)
    labels = list(code_labels)
    if len(labels) != x.shape[1]:
        raise SaturationInputError("invalid_labels", f"expected {x.shape[1]} code labels, got {len(labels)}")
    themes: list[Hashable] = []
    column_of: dict[Hashable, int] = {}
    target: list[int] = []
    source: list[int] = []
    for k, c in enumerate(labels):
        chain = _ancestors(c, parent_of)
        if root is None:
            theme = chain[-1]
        elif root not in chain:
            continue
        else:
            j = chain.index(root)
            theme = chain[j - 1] if j > 0 else root
        if theme not in column_of:
            column_of[theme] = len(themes)
            themes.append(theme)
        target.append(column_of[theme])
        source.append(k)
    out = np.zeros((x.shape[0], len(themes)), dtype=np.bool_)
    for k, t in zip(source, target, strict=True):
        out[:, t] |= x[:, k]
    return out, themes
