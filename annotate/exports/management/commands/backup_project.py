from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.core.exceptions import ApplicationError
from annotate.exports.backup import project_backup_write


class Command(BaseCommand):
    help = (
        "Back up one project (its rows, the accounts they refer to, its files and audit trail) into a "
        ".tar.gz that restore_project reads. The backup is recorded in the project's audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, required=True, help="the project's id")
        parser.add_argument("--output", type=Path, required=True, help="the archive to write (.tar.gz)")

    def handle(self, *args, project, output, **options):
        try:
            manifest = project_backup_write(project_id=project, output=output)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"backed up project {project} ({manifest['project']['name']}): {rows} rows, "
            f"{len(manifest['members']) - 1} files, audit head {manifest['audit_head']} -> {output}"
        )
