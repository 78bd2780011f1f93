from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 1 of 3 for ``Code.guid``: add the column empty (a default here would give every existing
    row the same UUID); 0004 fills one per row; 0005 makes it required and unique per codebook."""

    dependencies = [("codebook", "0002_versions_immutable")]

    operations = [
        migrations.AddField(
            model_name="code",
            name="guid",
            field=models.UUIDField(editable=False, null=True),
        ),
    ]
