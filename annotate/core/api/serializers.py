"""Output serializers shared by several apps."""

from rest_framework import serializers


class BackgroundJobOutputSerializer(serializers.Serializer):
    """What every background job (``annotate.core.models.BackgroundJob``: imports, exports, analysis runs)
    says about its state; each job's serializer adds its own fields."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField(help_text="Percent done, 0–100.")
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_s = serializers.FloatField(allow_null=True)
