"""What the projects app tells the apps built on it. Receivers run in the sender's transaction, so what
they write (with its audit events) commits or rolls back with the project itself.

- ``project_created(project, actor)``: a new project exists, with its first owner. The codebook app gives
  it its codebook.
"""

from django.dispatch import Signal

project_created = Signal()
