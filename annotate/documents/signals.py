"""What the documents app tells the apps built on it (see ``annotate.core.signals``). Each is sent inside
the write's transaction; receivers return dicts of counts, or refuse by raising ``ApplicationError``.

- ``document_created(document, actor)``: a transcript was added. The assignment plan takes in its codable
  turns (``{"units_added": n}``).
- ``document_deleting(document, actor)``: a transcript is about to be deleted. Apps holding work on it
  refuse (codings, memos, a submitted unit: 409) or let go of it (``{"planned_units": n}``).
- ``turns_leaving_coding(document, segments, speakers, actor)``: these turns (a queryset of segments, of
  ``speakers``) are about to become context. Refused where they hold codings or submitted units; their
  units leave the plan (``{"units_withdrawn": n}``).
- ``turns_joining_coding(document, actor)``: turns of the transcript became codable; the plan takes them in
  (``{"units_added": n}``).
"""

from django.dispatch import Signal

document_created = Signal()
document_deleting = Signal()
turns_leaving_coding = Signal()
turns_joining_coding = Signal()
