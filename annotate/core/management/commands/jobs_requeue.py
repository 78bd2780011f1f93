"""``manage.py jobs_requeue``: run the job dispatcher once (``annotate.core.jobs.job_dispatch_due``): send
the background jobs whose message was never sent or was lost, and those whose worker was lost. Celery beat
runs the same every ``INTERCODER_JOB_DISPATCH_INTERVAL_S``; this is for an operator who wants it now."""

from django.core.management.base import BaseCommand

from annotate.core.jobs import job_dispatch_due


class Command(BaseCommand):
    help = "Send the background jobs whose message or worker was lost (what the dispatcher does)."

    def handle(self, *args, **options):
        sent = job_dispatch_due()
        for label, count in sent.items():
            self.stdout.write(f"{label}: {count} sent")
