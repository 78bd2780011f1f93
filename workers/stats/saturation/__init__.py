"""Code and theme saturation for interview studies: a pure numpy/scipy engine.

This package implements ``docs/methods/SATURATION.md`` (the "specification"): the
accumulation curve, Guest, Namey & Chen's (2020) base/run/threshold rule with its sensitivity
grid, order effects (exact rarefaction mean, order-randomised envelope and saturation-point
distribution), incidence richness estimators (Chao2, coverage, first-order jackknife),
Francis et al.'s (2010) "10 + 3" stopping rule, a homogeneous-detection (M0, "Lowe-type")
model and the Fugard & Potts (2015) planner. It imports neither Django nor Celery: the
Celery task builds the inputs (one interviews x codes presence matrix per coder mode, rows
already in analysis order) and stores the JSON-serialisable dict returned by
:func:`saturation_report`.

Input model
-----------
``incidence`` is a boolean array of shape ``(n_interviews, n_codes)``: ``incidence[i, k]`` is
True when code *k* was applied anywhere in interview *i* (several segments or coders count
once). Integer segment counts are accepted and read as ``count > 0``. Rows are in analysis
order (see :func:`analysis_order`); an all-False row is a completed interview with no codes
and counts as a position. Columns that are all False are codes that were never applied; the
report drops them (warning ``unapplied_codes_ignored``). Use :func:`collapse_to_themes` for
``level="theme"`` and :func:`filter_subtree` for a subtree. Interview positions in every
output are 1-based (interview number ``i = 1..N`` in analysis order).

Statuses
--------
``reached``, ``not_reached``, ``insufficient_data``, ``empty_base``, ``no_codes``,
``unbounded``, ``no_interviews`` and ``ok``. ``insufficient_data`` means "not enough
interviews to evaluate the rule" and must never be displayed as "not saturated".

Thresholds
----------
The new-information threshold is a fraction ``0 <= tau < 1`` (``Fraction("1/20")``,
``Decimal("0.05")``, ``"0.05"`` or ``0.05``; a float is read through its shortest decimal
representation, so ``0.05`` is exactly 1/20). Percentages such as ``5`` are rejected.
Decisions use exact integer arithmetic, ``n_run * den <= num * B``; float ratios are only

Where things are
----------------
::

    validation.py      SaturationInputError, parse_threshold, checks on incidence, counts and labels
    incidence.py       incidence matrix, analysis order (§1.2), subtrees and themes (§1.3)
    accumulation.py    accumulation curve (§2)
    stopping_rules.py  Guest et al. (2020) base/run/threshold and its grid (§3), Francis et al. (2010) (§6)
    order_effects.py   rarefaction, random orders, envelope, saturation-point distribution (§4)
    estimators.py      Chao2, coverage, jackknife (§5); homogeneous-detection M0 model (§7)
    planning.py        Fugard & Potts (2015), plug-in probability of seeing every code (§8)
    report.py          saturation_report, suggested_wording (JSON shape documented there)

Every public name is importable from ``workers.stats.saturation``. A test that changes a module
constant must patch it in its own module (e.g. ``order_effects.EXACT_RAREFACTION_MAX``): the
names here are copies.

References
----------
Guest, G., Bunce, A., & Johnson, L. (2006). How many interviews are enough? *Field Methods*
18(1), 59-82. Guest, G., Namey, E., & Chen, M. (2020). A simple method to assess and report
thematic saturation in qualitative research. *PLoS ONE* 15(5), e0232076. Francis, J. J., et
al. (2010). What is an adequate sample size? *Psychology & Health* 25(10), 1229-1245. Chao, A.
(1987). Estimating the population size for capture-recapture data with unequal catchability.
*Biometrics* 43, 783-791. Chao, A., & Jost, L. (2012). Coverage-based rarefaction and
extrapolation. *Ecology* 93, 2533-2547. Colwell, R. K., et al. (2012). Models and estimators
linking individual-based and sample-based rarefaction. *J Plant Ecol* 5, 3-21. Lowe, A., et al.
(2018). Quantifying thematic saturation in qualitative data analysis. *Field Methods* 30(3),
191-207. Fugard, A. J. B., & Potts, H. W. W. (2015). Supporting thinking on sample sizes for
thematic analyses. *Int J Soc Res Methodol* 18(6), 669-684. van Rijnsoever, F. J. (2017). (I
can't get no) saturation. *PLoS ONE* 12(7), e0181689.
"""

from __future__ import annotations

from workers.stats.saturation.accumulation import REACHING_TARGETS as REACHING_TARGETS
from workers.stats.saturation.accumulation import accumulation_curve
from workers.stats.saturation.estimators import ESTIMATOR_CAVEAT as ESTIMATOR_CAVEAT
from workers.stats.saturation.estimators import M0_CAVEAT as M0_CAVEAT
from workers.stats.saturation.estimators import M0_LABEL as M0_LABEL
from workers.stats.saturation.estimators import homogeneous_detection_model, incidence_estimators
from workers.stats.saturation.incidence import (
    analysis_order,
    collapse_to_themes,
    filter_subtree,
    incidence_matrix,
)
from workers.stats.saturation.order_effects import ENUMERATION_MAX_INTERVIEWS as ENUMERATION_MAX_INTERVIEWS
from workers.stats.saturation.order_effects import ENVELOPE_QUANTILES as ENVELOPE_QUANTILES
from workers.stats.saturation.order_effects import EXACT_RAREFACTION_MAX as EXACT_RAREFACTION_MAX
from workers.stats.saturation.order_effects import MIN_RANDOM_ORDERS as MIN_RANDOM_ORDERS
from workers.stats.saturation.order_effects import (
    draw_orders,
    order_curves,
    order_simulation,
    rarefaction_curve,
)
from workers.stats.saturation.planning import PLUGIN_LABEL as PLUGIN_LABEL
from workers.stats.saturation.planning import (
    fugard_potts_min_prevalence,
    fugard_potts_power,
    fugard_potts_sample_size,
    plugin_all_codes,
)
from workers.stats.saturation.report import ALGORITHM_VERSION, saturation_report, suggested_wording
from workers.stats.saturation.stopping_rules import GRID_BASE_SIZES as GRID_BASE_SIZES
from workers.stats.saturation.stopping_rules import GRID_RUN_LENGTHS as GRID_RUN_LENGTHS
from workers.stats.saturation.stopping_rules import GRID_THRESHOLDS as GRID_THRESHOLDS
from workers.stats.saturation.stopping_rules import (
    francis_stopping_rule,
    guest_saturation,
    guest_sensitivity_grid,
)
from workers.stats.saturation.validation import BoolMatrix as BoolMatrix
from workers.stats.saturation.validation import FloatArray as FloatArray
from workers.stats.saturation.validation import IntArray as IntArray
from workers.stats.saturation.validation import JSONDict as JSONDict
from workers.stats.saturation.validation import SaturationInputError, parse_threshold
from workers.stats.saturation.validation import ThresholdLike as ThresholdLike

__all__ = [
    "ALGORITHM_VERSION",
    "SaturationInputError",
    "accumulation_curve",
    "analysis_order",
    "collapse_to_themes",
    "draw_orders",
    "filter_subtree",
    "francis_stopping_rule",
    "fugard_potts_min_prevalence",
    "fugard_potts_power",
    "fugard_potts_sample_size",
    "guest_saturation",
    "guest_sensitivity_grid",
    "homogeneous_detection_model",
    "incidence_estimators",
    "incidence_matrix",
    "order_curves",
    "order_simulation",
    "parse_threshold",
    "plugin_all_codes",
    "rarefaction_curve",
    "saturation_report",
    "suggested_wording",
]
