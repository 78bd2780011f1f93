"""factory_boy factories that build through the services, so fixtures carry their audit events too."""

import factory
from django.contrib.auth import get_user_model

from annotate.cases.services import case_create
from annotate.codebook.selectors import codebook_get
from annotate.codebook.services import code_create
from annotate.documents.services import document_create
from annotate.projects.models import Project
from annotate.projects.services import membership_add, project_create

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")

    @classmethod
    def _create(cls, model_class, *, username, password=TEST_PASSWORD, **kwargs):
        user = model_class.objects.filter(username=username).first()
        return user or model_class.objects.create_user(username=username, password=password, **kwargs)


class ProjectFactory(factory.Factory):
    """``ProjectFactory(creator=user, name=...)`` → a project (with codebook) created by the service."""

    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Study {n}")
    description = ""
    creator = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *, creator, **kwargs):
        project = project_create(creator=creator, **kwargs)
        project.add_member = lambda user, role: membership_add(  # type: ignore[attr-defined]
            project=project, actor=creator, username=user.username, role=role
        )
        return project


def make_case(project, actor, identifier="P01", **kwargs):
    return case_create(project=project, actor=actor, identifier=identifier, **kwargs)


def make_document(
    project, actor, case=None, text="Interviewer: How?\n\nP01: Like this.\n\nP01: And this.", **kwargs
):
    case = case or make_case(project, actor, identifier=f"C{project.documents.count() + 1}")
    kwargs.setdefault("title", f"Interview {case.identifier}")
    return document_create(project=project, actor=actor, case=case, text=text, **kwargs)


def make_code(project, actor, name="Harm reduction", **kwargs):
    return code_create(codebook=codebook_get(project_id=project.id), actor=actor, name=name, **kwargs)
