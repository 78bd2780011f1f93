"""Agreement on spans: Krippendorff's unitizing alphas and Mathet's gamma (pure numpy/scipy).

A continuum is a document's text, positions are code points and spans are half-open ``[start, end)``
(``docs/methods/AGREEMENT.md`` §6). Entry points:

* :func:`span_data` checks and packs the spans (refusing overlapping spans of one coder with one code);
* :func:`span_agreement_report`: uα, |uα, cu-α, Cu-α and (k)uα (Krippendorff, Mathet, Bouvry & Widlöcher
  2016) and the boundary uα (Krippendorff 1995; 2004), overall, per code and per document, with bootstrap
  intervals over documents;
* :func:`gamma_agreement`: Mathet, Widlöcher & Métivier's (2015) γ with its sampling error.

Where things are
----------------
::

    data.py         SpanData, span_data, code-point offsets from UTF-16 offsets
    _sweep.py       coverage integrals and unions of intervals on one axis
    boundary.py     Krippendorff (1995, 2004) uα with boundary distances, per code
    coincidence.py  the 2016 family from coincidences of lengths (and the 3+ coder reading)
    report.py       every alpha, overall / per code / per document, bootstrap over documents
    gamma.py        γ: dissimilarities, best alignment (mixed-integer programme), chance by shuffling
    results.py      SpanCoefficient, SpanCounts, reasons for undefined values
"""

from workers.stats.spans.data import SpanData, SpanDataError, code_point_offsets, span_data
from workers.stats.spans.report import span_agreement_report
from workers.stats.spans.results import SpanCoefficient, SpanCounts

__all__ = [
    "SpanCoefficient",
    "SpanCounts",
    "SpanData",
    "SpanDataError",
    "code_point_offsets",
    "span_agreement_report",
    "span_data",
]
