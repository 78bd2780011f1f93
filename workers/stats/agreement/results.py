"""What an agreement measure returns: a :class:`Coefficient`, or the reason it is undefined.

:data:`MEASURES` names every single-label measure. A coefficient whose denominator is 0 is undefined: it
is returned with ``value=None`` and a ``reason``, one of the ``REASON_*`` strings below, never 1.0 or 0.0.
Inside the vectorised kernels a reason is a small integer code (``_OK`` when defined) that
:func:`_reason_text` puts into words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

MEASURES: Final = (
    "percent_agreement",
    "holsti",
    "cohen_kappa",
    "scott_pi",
    "fleiss_kappa",
    "light_kappa",
    "conger_kappa",
    "krippendorff_alpha",
    "gwet_ac1",
    "brennan_prediger",
)

REASON_NO_PAIRABLE: Final = "no pairable units: no unit was rated by at least two coders"
REASON_NO_VARIATION: Final = (
    "expected disagreement is 0: fewer than two distinct values among the pairable ratings"
)
REASON_CHANCE_ONE: Final = "chance agreement is 1: every rating is the same category"
REASON_ONE_CATEGORY: Final = "the codebook has a single category (q = 1)"
REASON_TWO_CODERS: Final = "needs exactly two coders, got {n_coders}"
REASON_LIGHT_PAIR: Final = "Cohen's kappa is undefined for at least one coder pair"
REASON_CODE_NEVER_USED: Final = "code never used"
REASON_CODE_NOT_ON_PAIRABLE: Final = "code never used on a pairable unit"
REASON_CODE_EVERYWHERE: Final = "code used on every unit"

# Reason codes used inside the vectorised kernels (0 = defined).
_OK, _NO_PAIRABLE, _NO_VARIATION, _CHANCE_ONE, _ONE_CATEGORY, _TWO_CODERS, _LIGHT_PAIR = range(7)
_REASONS: Final = {
    _NO_PAIRABLE: REASON_NO_PAIRABLE,
    _NO_VARIATION: REASON_NO_VARIATION,
    _CHANCE_ONE: REASON_CHANCE_ONE,
    _ONE_CATEGORY: REASON_ONE_CATEGORY,
    _TWO_CODERS: REASON_TWO_CODERS,
    _LIGHT_PAIR: REASON_LIGHT_PAIR,
}


@dataclass(frozen=True)
class Coefficient:
    """One agreement coefficient with the counts it was computed from.

    ``value`` is ``None`` exactly when the coefficient is undefined, and then ``reason`` says why.
    ``n_units`` counts units with at least one rating, ``n_pairable_units`` those with two or more (for a
    two-coder measure: both coders), ``n_pairable_values`` the ratings in pairable units.
    """

    name: str
    value: float | None
    reason: str | None
    n_units: int
    n_pairable_units: int
    n_coders: int
    n_pairable_values: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (``value``, ``reason`` and the counts)."""
        return {
            "value": self.value,
            "reason": self.reason,
            "counts": {
                "n_units": self.n_units,
                "n_pairable_units": self.n_pairable_units,
                "n_coders": self.n_coders,
                "n_pairable_values": self.n_pairable_values,
            },
        }


def _reason_text(code: int, n_coders: int) -> str | None:
    if code == _OK:
        return None
    return _REASONS[code].format(n_coders=n_coders)
