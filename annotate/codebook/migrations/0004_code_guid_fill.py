import uuid

from django.db import migrations


def fill_guids(apps, schema_editor):
    Code = apps.get_model("codebook", "Code")
    for code in Code.objects.filter(guid__isnull=True).only("id").iterator():
        Code.objects.filter(pk=code.pk).update(guid=uuid.uuid4())


class Migration(migrations.Migration):
    """Step 2 of 3 for ``Code.guid``: one fresh UUID per existing code (its identity from now on)."""

    dependencies = [("codebook", "0003_code_guid_nullable")]

    operations = [migrations.RunPython(fill_guids, migrations.RunPython.noop)]
