"""Inter-coder agreement: pure, vectorised numpy functions (no Django, no Celery).

Conventions follow ``docs/methods/AGREEMENT.md``:

* **Data.** A single-label rating matrix is an integer array of shape ``(n_units, n_coders)`` whose cells hold
  a category index ``0 .. q-1`` or :data:`MISSING` (``-1``) when that coder gave no rating. Category labels
  are opaque strings kept by the caller; ``q`` (``n_categories``) is the size of the codebook, unused
  categories included. Multi-code data (a *set* of codes per rating, possibly empty) is a
  :class:`MultiCodeRatings`.
* **Pairable units.** Only units rated by at least two coders enter the chance-corrected measures (and the
  percent agreement); single-rated units are dropped, never counted as agreement (Krippendorff 2011).
  Holsti's 2M/(N1+N2) is the one measure that counts every decision of each coder.
* **Undefined is undefined.** A coefficient whose denominator is 0 is returned with ``value=None`` and a
  ``reason`` (one of the ``REASON_*`` strings in ``results.py``); never 1.0 or 0.0.
* **Missing data.** Cohen's kappa, Holsti and the pairwise matrices use the units both coders rated; Fleiss'
  kappa, Conger's kappa and Gwet's AC1 use Gwet's (2014) generalisation to missing ratings restricted to
  pairable units (on complete data they are exactly the textbook formulas); Krippendorff's alpha handles
  missing data natively.

Entry points
------------
* single-label: :func:`percent_agreement`, :func:`holsti`, :func:`cohen_kappa`, :func:`scott_pi`,
  :func:`fleiss_kappa`, :func:`light_kappa`, :func:`conger_kappa`, :func:`krippendorff_alpha`,
  :func:`gwet_ac1`, :func:`brennan_prediger`, :func:`kappa_paradox_diagnostics` and
  :func:`single_label_report` (all measures with bootstrap intervals).
* multi-code: :func:`per_code_coefficients` (every measure for every code in one vectorised pass),
  :func:`set_alpha` (MASI / Jaccard) and :func:`agreement_report`, the contract with the Celery task.

Where things are
----------------
::

    reliability_data.py       rating and count matrices (MISSING, checks), MultiCodeRatings (sets of codes)
    sufficient_statistics.py  per-unit sums: category counts, coincidence matrices, coder-pair tables
    coefficients/             one file per family, each function with its formula and reference:
      percent_agreement.py      percent agreement, Holsti
      kappa.py                  Cohen (weighted), Scott, Fleiss, Light, Conger, Brennan-Prediger
      gwet_ac1.py               Gwet's AC1
      alpha.py                  Krippendorff's alpha (nominal, ordinal, interval, ratio)
      per_code.py               every measure for every code of multi-code data
      from_sums.py              the vectorised computation behind all of them
    set_measures.py           MASI and Jaccard distances, alpha on code sets
    intervals.py              bootstrap percentile intervals, P(alpha < minimum)
    diagnostics.py            prevalence index, bias index, PABAK
    reports.py                single_label_report, agreement_report (JSON shape documented there)
    results.py                Coefficient, MEASURES, the REASON_* strings

Every public name is importable from ``workers.stats.agreement``, and so is ``_from_counts``, the general
path the tests hold Fleiss' complete-data fast path to.
"""

from __future__ import annotations

from workers.stats.agreement.coefficients.alpha import krippendorff_alpha, krippendorff_alpha_from_counts
from workers.stats.agreement.coefficients.from_sums import _from_counts as _from_counts
from workers.stats.agreement.coefficients.gwet_ac1 import gwet_ac1
from workers.stats.agreement.coefficients.kappa import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    light_kappa,
    scott_pi,
)
from workers.stats.agreement.coefficients.per_code import per_code_coefficients
from workers.stats.agreement.coefficients.percent_agreement import holsti, percent_agreement
from workers.stats.agreement.diagnostics import kappa_paradox_diagnostics
from workers.stats.agreement.intervals import ALPHA_MINIMUMS
from workers.stats.agreement.reliability_data import F64 as F64
from workers.stats.agreement.reliability_data import I64 as I64
from workers.stats.agreement.reliability_data import MISSING, MultiCodeRatings
from workers.stats.agreement.reliability_data import Bools as Bools
from workers.stats.agreement.reliability_data import Level as Level
from workers.stats.agreement.reliability_data import RatingsLike as RatingsLike
from workers.stats.agreement.reliability_data import Weights as Weights
from workers.stats.agreement.reports import agreement_report, single_label_report
from workers.stats.agreement.results import MEASURES, Coefficient
from workers.stats.agreement.results import REASON_CHANCE_ONE as REASON_CHANCE_ONE
from workers.stats.agreement.results import REASON_CODE_EVERYWHERE as REASON_CODE_EVERYWHERE
from workers.stats.agreement.results import REASON_CODE_NEVER_USED as REASON_CODE_NEVER_USED
from workers.stats.agreement.results import REASON_CODE_NOT_ON_PAIRABLE as REASON_CODE_NOT_ON_PAIRABLE
from workers.stats.agreement.results import REASON_LIGHT_PAIR as REASON_LIGHT_PAIR
from workers.stats.agreement.results import REASON_NO_PAIRABLE as REASON_NO_PAIRABLE
from workers.stats.agreement.results import REASON_NO_VARIATION as REASON_NO_VARIATION
from workers.stats.agreement.results import REASON_ONE_CATEGORY as REASON_ONE_CATEGORY
from workers.stats.agreement.results import REASON_TWO_CODERS as REASON_TWO_CODERS
from workers.stats.agreement.set_measures import jaccard_distance, masi_distance, set_alpha

__all__ = [
    "ALPHA_MINIMUMS",
    "MEASURES",
    "MISSING",
    "Coefficient",
    "MultiCodeRatings",
    "agreement_report",
    "brennan_prediger",
    "cohen_kappa",
    "conger_kappa",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "gwet_ac1",
    "holsti",
    "jaccard_distance",
    "kappa_paradox_diagnostics",
    "krippendorff_alpha",
    "krippendorff_alpha_from_counts",
    "light_kappa",
    "masi_distance",
    "per_code_coefficients",
    "percent_agreement",
    "scott_pi",
    "set_alpha",
    "single_label_report",
]
