"""Row locks for writes, taken in one order so two writers never wait on each other in a circle.

The order (every service follows it; a transaction takes only the locks it needs, in this order):

1. the project row (plan changes, project settings and deletion);
2. the parent of the object being changed (a codebook before its codes, a plan before its coders);
3. the object's own row, then its children in primary-key order (``order_by("id")``);
4. the audit chain of the project, last (``audit_record`` takes it and holds it until the commit).

An object deleted by someone else between the request's read and the lock is not an internal error: the
writer who comes second gets 404 with a message, never ``DoesNotExist`` as a 500.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from .exceptions import ApplicationError

M = TypeVar("M", bound=models.Model)


def lock_row(model: type[M], pk: int, *, what: str | None = None) -> M:
    """``SELECT … FOR UPDATE`` of one row inside the caller's transaction; 404 if it is gone."""
    row = model._default_manager.select_for_update().filter(pk=pk).first()
    if row is None:
        name = what or str(model._meta.verbose_name)
        raise ApplicationError(
            f"This {name} no longer exists: someone deleted it a moment ago. Reload the page.", status=404
        )
    return row
