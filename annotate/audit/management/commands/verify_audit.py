from django.core.management.base import BaseCommand, CommandError

from annotate.audit.models import AuditEvent
from annotate.audit.selectors import audit_chain_breaks


class Command(BaseCommand):
    help = "Recompute the audit hash chains; exit non-zero naming the first broken event."

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, help="verify only this project's chain")

    def handle(self, *args, project=None, **options):
        first = next(audit_chain_breaks(project_id=project), None)
        if first is not None:
            raise CommandError(f"audit trail broken at {first}")
        qs = AuditEvent.objects.all() if project is None else AuditEvent.objects.filter(project_id=project)
        self.stdout.write(f"audit trail verified: {qs.count()} events, every chain intact")
