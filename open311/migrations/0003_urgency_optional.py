"""URGENCY was seeded as a required attribute, so no generic GeoReport client could post to any service.
Seeded rows become optional (a missing value means normal); a row an administrator changed stays."""

from django.db import migrations

SEEDED = "紧急程度"
NOW = "紧急程度（不填为一般）"


def forwards(apps, schema_editor):
    ServiceAttribute = apps.get_model("open311", "ServiceAttribute")
    ServiceAttribute.objects.filter(code="URGENCY", required=True, description=SEEDED).update(
        required=False, description=NOW
    )


def backwards(apps, schema_editor):
    ServiceAttribute = apps.get_model("open311", "ServiceAttribute")
    ServiceAttribute.objects.filter(code="URGENCY", required=False, description=NOW).update(
        required=True, description=SEEDED
    )


class Migration(migrations.Migration):
    dependencies = [("open311", "0002_remove_api_key_usage")]

    operations = [migrations.RunPython(forwards, backwards)]
