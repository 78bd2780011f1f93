"""Signals Explore sends for the apps above it to answer (they may import Explore; Explore may not import
them)."""

from django.dispatch import Signal

# Sent with ``project_id`` before passages are written out for a write-up. A receiver answers with a
# ``writing.Origin`` when the project's segments are copies of another project's (a secondary pass), so
# each citation can also name the segment it was copied from; None otherwise.
passage_origin_wanted = Signal()
