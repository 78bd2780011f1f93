"""``manage.py jobs_requeue``: send again the background jobs whose worker or message was lost (see
``annotate.core.jobs``). Safe to run at any time, e.g. from cron; every worker also runs it as it starts."""

from django.core.management.base import BaseCommand

from annotate.core.jobs import job_requeue_due


class Command(BaseCommand):
    help = "Send again the background jobs whose worker or message was lost."

    def handle(self, *args, **options):
        sent = job_requeue_due()
        for label, count in sent.items():
            self.stdout.write(f"{label}: {count} sent again")
