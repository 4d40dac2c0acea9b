"""Connectors feed people, households, houses and key places as well as legal entities: a connector names
its target registry; a synced record names its record by kind and id (and its territory, for scoping),
its entity now only for entity feeds; a run counts the rows left for the village's review; a quarantined
row of personal data is kept sealed. Existing records are entity records: backfilled from their entity."""

import django.db.models.deletion
from django.db import migrations, models


def backfill_targets(apps, schema_editor):
    SyncedRecord = apps.get_model("datashare", "SyncedRecord")
    for record in SyncedRecord.objects.select_related("entity").iterator():
        record.target_kind = "entity"
        record.target_id = record.entity_id
        record.territory_code = record.entity.territory_code
        record.save(update_fields=["target_kind", "target_id", "territory_code"])


def entity_records_only(apps, schema_editor):
    """Back to entity-only records: a record of another registry has no place there."""
    SyncedRecord = apps.get_model("datashare", "SyncedRecord")
    SyncedRecord.objects.exclude(target_kind="entity").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("datashare", "0002_people_export"),
        ("registry", "0004_record_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="connector",
            name="target",
            field=models.CharField(
                choices=[
                    ("entity", "实有单位"),
                    ("person", "实有人口"),
                    ("household", "户"),
                    ("house", "实有房屋（户室）"),
                    ("key_place", "重点场所"),
                ],
                default="entity",
                max_length=12,
                verbose_name="写入的基础信息库",
            ),
        ),
        migrations.AddField(
            model_name="connectorrun",
            name="proposed",
            field=models.PositiveIntegerField(default=0, verbose_name="待审核"),
        ),
        migrations.AddField(
            model_name="quarantinedrow",
            name="payload_sealed",
            field=models.TextField(blank=True, verbose_name="原始数据（密文）"),
        ),
        migrations.AddField(
            model_name="syncedrecord",
            name="target_kind",
            field=models.CharField(
                choices=[
                    ("entity", "实有单位"),
                    ("person", "实有人口"),
                    ("household", "户"),
                    ("house", "实有房屋（户室）"),
                    ("key_place", "重点场所"),
                ],
                default="entity",
                max_length=12,
                verbose_name="基础信息库",
            ),
        ),
        migrations.AddField(
            model_name="syncedrecord",
            name="target_id",
            field=models.BigIntegerField(default=0, verbose_name="记录"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="syncedrecord",
            name="territory_code",
            field=models.CharField(db_index=True, default="", max_length=15, verbose_name="所属网格"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="syncedrecord",
            name="entity",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="registry.entity",
            ),
        ),
        migrations.RunPython(backfill_targets, entity_records_only),
    ]
