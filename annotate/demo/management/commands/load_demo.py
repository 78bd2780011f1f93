from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from annotate.demo.services import DEMO_PASSWORD, DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Load the synthetic demo study (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        if (settings.SETTINGS_MODULE or "").endswith(".production"):
            raise CommandError(
                "The demo has well-known passwords; it is not loaded under production settings."
            )
        result = demo_load()
        project = result.project
        verb = "Loaded" if result.created else "Already loaded:"
        self.stdout.write(
            f"{verb} demo project {project.id} {project.name!r} "
            f"({project.documents.count()} transcripts, {project.cases.count()} cases)."
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD!r}):")
        for username, first, last, role in DEMO_USERS:
            self.stdout.write(f"  {username:8} {first} {last} — {role.label}")
