"""The single-label agreement coefficients, one file per family; each docstring gives formula and reference.

``percent_agreement.py`` (percent agreement, Holsti), ``kappa.py`` (Cohen, Scott, Fleiss, Light, Conger,
Brennan-Prediger), ``gwet_ac1.py``, ``alpha.py`` (Krippendorff) and ``per_code.py`` (every measure for
every code of multi-code data). ``from_sums.py`` computes all of them, vectorised, from the sufficient
statistics.
"""
