"""What the projects app tells the apps built on it. Receivers run in the sender's transaction, so what
they write (with its audit events) commits or rolls back with the project itself.

- ``project_created(project, actor)``: a new project exists, with its first owner. The codebook app gives
  it its codebook.
- ``member_work_released(project_id, user, actor, reason, leaves)``: a member leaves the project (removed) or
  stops working (their account deactivated). The assignments app returns their unfinished units to the
  plan; their codings stay, as part of the research record.
"""

from django.dispatch import Signal

project_created = Signal()
member_work_released = Signal()
