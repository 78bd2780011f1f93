"""What the assignments app does when the apps below it write (``annotate.core.signals``): the plan takes
in new transcripts and turns that become codable, and lets go of what leaves coding while nobody has
finished it."""

from django.dispatch import receiver

from annotate.core.exceptions import ApplicationError
from annotate.documents.signals import (
    document_created,
    document_deleting,
    turns_joining_coding,
    turns_leaving_coding,
)
from annotate.projects.signals import member_work_released

from .models import Assignment, AssignmentStatus, Unit
from .services import assignment_plan_extend, assignment_plan_withdraw_document, assignment_work_release


@receiver(document_created, dispatch_uid="assignments.document_created")
@receiver(turns_joining_coding, dispatch_uid="assignments.turns_joining_coding")
def take_new_turns_into_the_plan(*, document, actor, **_kwargs) -> dict:
    extension = assignment_plan_extend(project_id=document.project_id, actor=actor)
    return {"units_added": extension["segments"] if extension else 0}


@receiver(document_deleting, dispatch_uid="assignments.document_deleting")
def withdraw_a_deleted_transcript(*, document, **_kwargs) -> dict:
    return {"planned_units": assignment_plan_withdraw_document(document=document)}


@receiver(turns_leaving_coding, dispatch_uid="assignments.turns_leaving_coding")
def withdraw_turns_that_become_context(*, segments, **_kwargs) -> dict:
    slots = Assignment.objects.select_for_update().filter(segment__in=segments)
    submitted = slots.filter(status=AssignmentStatus.DONE).values("segment_id").distinct().count()
    if submitted:
        raise ApplicationError(
            f"Coders have submitted {submitted} of these turns as units (an empty set of codes is a rating "
            "too); they cannot become context.",
            status=409,
            extra={"units_submitted": submitted},
        )
    units = Unit.objects.filter(segment__in=segments)
    withdrawn = units.count()
    slots.delete()
    units.delete()
    return {"units_withdrawn": withdrawn}


@receiver(member_work_released, dispatch_uid="assignments.member_work_released")
def release_a_leaving_members_units(*, project_id, user, actor, reason, leaves, **_kwargs) -> dict:
    released = assignment_work_release(
        project_id=project_id, user=user, actor=actor, reason=reason, leaves_plan=leaves
    )
    return {"units_released": released}
