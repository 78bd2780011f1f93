"""Checks on the saturation inputs: incidence matrix, new-code counts, labels and the threshold.

Invalid input raises :class:`SaturationInputError`, whose ``code`` is stable and machine-readable.
:func:`parse_threshold` reads the new-information threshold into an exact fraction, so that every
decision is made in integer arithmetic (Guest, Namey & Chen 2020; specification §3.2). The JSON helpers
the other modules share (warnings, fractions as text) are here too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

BoolMatrix: TypeAlias = npt.NDArray[np.bool_]
IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]
ThresholdLike: TypeAlias = Fraction | Decimal | str | float | int
JSONDict: TypeAlias = dict[str, Any]


class SaturationInputError(ValueError):
    """Invalid input; ``code`` is a stable machine-readable reason (e.g. ``duplicate_sequence``).

    The message is ``"<code>: <detail>"``.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


def _as_incidence(incidence: npt.ArrayLike) -> BoolMatrix:
    arr = np.asarray(incidence)
    if arr.ndim != 2:
        raise SaturationInputError(
            "invalid_incidence", f"incidence must be a 2-D interviews x codes array, got {arr.ndim}-D"
        )
    if arr.dtype == np.bool_:
        return arr
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise SaturationInputError(
            "invalid_incidence", f"incidence must be boolean or numeric, got {arr.dtype}"
        )
    if arr.size and (np.any(~np.isfinite(arr)) or np.any(arr < 0)):
        raise SaturationInputError("invalid_incidence", "segment counts must be finite and >= 0")
    return np.asarray(arr > 0, dtype=np.bool_)


def _as_new_codes(new_codes: npt.ArrayLike) -> list[int]:
    arr = np.asarray(new_codes)
    if arr.ndim != 1:
        raise SaturationInputError("invalid_new_codes", "new_codes must be a 1-D sequence of counts")
    if arr.size == 0:
        return []
    if not np.issubdtype(arr.dtype, np.integer) and (
        not np.issubdtype(arr.dtype, np.floating) or np.any(arr != np.round(arr))
    ):
        raise SaturationInputError("invalid_new_codes", "new_codes must be integers")
    out = [int(v) for v in arr]
    if min(out) < 0:
        raise SaturationInputError("invalid_new_codes", "new_codes must be >= 0")
    return out


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or int(value) < 1:
        raise SaturationInputError("invalid_parameter", f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _labels(labels: Sequence[str] | None, n: int, prefix: str, what: str) -> list[str]:
    if labels is None:
        return [f"{prefix}{i + 1}" for i in range(n)]
    out = [str(x) for x in labels]
    if len(out) != n:
        raise SaturationInputError("invalid_labels", f"expected {n} {what} labels, got {len(out)}")
    if len(set(out)) != len(out):
        raise SaturationInputError("invalid_labels", f"{what} labels must be unique")
    return out


def parse_threshold(value: ThresholdLike) -> Fraction:
    """Parse a new-information threshold into an exact fraction in ``[0, 1)``.

    Guest et al. (2020) compare the saturation ratio with a threshold such as 5%. The
    comparison ``n_run / B <= tau`` is decided as ``n_run * den <= num * B`` with
    ``tau = num / den`` (specification §3.2), so the threshold must be exact: floats are read
    through their shortest decimal representation (``0.05`` -> ``1/20``), strings may be
    decimals or fractions. Percentages (``5``) are rejected.

    Parameters
    ----------
    value : Fraction, Decimal, str, float or int
        The threshold as a fraction of the base codes.

    Returns
    -------
    Fraction

    Raises
    ------
    SaturationInputError
        ``invalid_threshold`` when the value is not a number in ``[0, 1)``.

    References
    ----------
    Guest, Namey & Chen (2020), *PLoS ONE* 15(5): e0232076.

    Examples
    --------
    >>> parse_threshold(0.05), parse_threshold("0.05"), parse_threshold("1/20")
    (Fraction(1, 20), Fraction(1, 20), Fraction(1, 20))
    >>> parse_threshold(5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workers.stats.saturation.validation.SaturationInputError: invalid_threshold: threshold must be a fraction ...
    """
    if isinstance(value, bool):
        raise SaturationInputError("invalid_threshold", f"threshold must be a number, got {value!r}")
    try:
        if isinstance(value, Fraction):
            frac = value
        elif isinstance(value, int | np.integer):
            frac = Fraction(int(value))
        elif isinstance(value, float | np.floating):
            if not math.isfinite(float(value)):
                raise ValueError
            frac = Fraction(repr(float(value)))
        elif isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError
            frac = Fraction(value)
        elif isinstance(value, str):
            frac = Fraction(value.strip())
        else:
            raise TypeError
    except (ValueError, TypeError, ZeroDivisionError):
        raise SaturationInputError(
            "invalid_threshold", f"threshold must be a number, got {value!r}"
        ) from None
    if frac >= 1 or frac < 0:
        hint = " (percentages are not accepted)" if frac >= 1 else ""
        raise SaturationInputError(
            "invalid_threshold",
            f"threshold must be a fraction in [0, 1) such as 0.05 for 5%, got {value!r}{hint}",
        )
    return frac


def _fraction_str(frac: Fraction) -> str:
    return f"{frac.numerator}/{frac.denominator}"


def _warning(code: str, message: str, interviews: Sequence[str] | None = None) -> JSONDict:
    out: JSONDict = {"code": code, "message": message}
    if interviews is not None:
        out["interviews"] = list(interviews)
    return out
