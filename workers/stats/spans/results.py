"""What a span coefficient returns: a value, or ``None`` with the reason it is undefined, and its counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

REASON_ONE_CODER: Final = "needs at least two coders, got {n_coders}"
REASON_EMPTY: Final = "the continuum is empty: no document has any text"
REASON_NO_UNITS: Final = "expected disagreement is 0: no coder marked any span"
REASON_NO_VARIATION: Final = "expected disagreement is 0: the data show no variation to disagree on"
REASON_NO_OVERLAP: Final = "no two coders' spans overlap, so there is nothing to compare codes on"
REASON_CODE_NEVER_USED: Final = "code never used"
REASON_CODE_NOT_ON_OVERLAP: Final = "code never used where two coders' spans overlap"
REASON_NO_CHANCE_DISORDER: Final = "expected disorder is 0"


@dataclass(frozen=True)
class SpanCounts:
    """The counts a span coefficient was computed from.

    ``units_per_coder`` counts each coder's spans (after any relabelling), ``continuum_length`` is the total
    length of the documents in code points, ``coded_share`` the share of the continuum (summed over coders)
    that coders marked, and ``overlap_length`` the coincidences of marked text between coders (for cu-α
    the "pairable" length; for others 0).
    """

    n_docs: int
    n_coders: int
    units_per_coder: tuple[int, ...]
    continuum_length: int
    coded_share: float | None
    overlap_length: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_docs": self.n_docs,
            "n_coders": self.n_coders,
            "units_per_coder": list(self.units_per_coder),
            "continuum_length": self.continuum_length,
            "coded_share": self.coded_share,
            "overlap_length": self.overlap_length,
        }


@dataclass(frozen=True)
class SpanCoefficient:
    """One span agreement coefficient.

    ``value`` is ``None`` exactly when the coefficient is undefined, and then ``reason`` says why.
    ``observed`` and ``expected`` are the disagreements (or disorders, for gamma) it came from; ``ci`` is
    filled by the bootstrap (:mod:`workers.stats.spans.intervals`), ``extra`` holds measure-specific figures
    (gamma's sampling error, for instance).
    """

    name: str
    value: float | None
    reason: str | None
    observed: float | None
    expected: float | None
    counts: SpanCounts
    ci: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "reason": self.reason,
            "observed": self.observed,
            "expected": self.expected,
            "counts": self.counts.to_dict(),
            "ci": self.ci,
            **({"extra": self.extra} if self.extra else {}),
        }


def alpha_from(observed: float, expected: float) -> tuple[float | None, str | None]:
    """``1 - observed / expected``, or undefined when ``expected`` is 0 (never NaN, never 0 or 1 by fiat)."""
    if not expected > 0.0:
        return None, REASON_NO_VARIATION
    return 1.0 - observed / expected, None
