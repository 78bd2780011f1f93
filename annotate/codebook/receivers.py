"""What the codebook app does when the apps below it say something happened."""

from django.dispatch import receiver

from annotate.projects.signals import project_created

from .services import codebook_create


@receiver(project_created, dispatch_uid="codebook.project_created")
def give_a_new_project_its_codebook(*, project, actor, **_kwargs) -> None:
    codebook_create(project=project, actor=actor)
