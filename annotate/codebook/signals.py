"""What the codebook app tells (and asks) the apps built on it (see ``annotate.core.signals``).

- ``codebook_in_use(codebook)``: a question. A receiver answers True when something is coded with it (then
  every change needs a rationale).
- ``code_merging(code, target, actor, reason)``: ``code`` is being merged into ``target``. What hangs on the
  code moves to the target, each move with its audit event; receivers return their counts (codings:
  ``{"codings_moved": n, "codings_removed_as_duplicates": m}``).
"""

from django.dispatch import Signal

codebook_in_use = Signal()
code_merging = Signal()
