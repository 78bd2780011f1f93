from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotate.core.exceptions import ApplicationError
from annotate.exports.backup import project_backup_restore


class Command(BaseCommand):
    help = (
        "Restore a project from a backup_project archive into this instance (a new one, after migrate, or "
        "one where the project never was). All or nothing; the restored audit trail is verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="the .tar.gz written by backup_project")

    def handle(self, *args, archive, **options):
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist.")
        try:
            manifest = project_backup_restore(archive=archive)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"restored project {manifest['project']['id']} ({manifest['project']['name']}): {rows} rows, "
            f"every count matches, audit trail verified (head {manifest['audit_head']})"
        )
