"""Warnings withdraw themselves (自动解除): each warning keeps its situation (the fingerprint without its
period), and process `command_warning` gains the system's step `withdraw` into state `withdrawn`.

Open warnings started on an earlier version of the process have no `withdraw` step, so they could never
be withdrawn; their work items are moved to the version that has it (its states and actions are a
superset of the earlier ones, and deadlines are unchanged). The version is published from the
definition file when the database has no such version yet (a fresh database publishes on first use)."""

from pathlib import Path

from django.db import migrations, models
from django.utils import timezone

PROCESS = "command_warning"
# Situation of the warnings raised before this migration, per rule: the fingerprint's trailing period
# (a day or a month) dropped where the rule puts one in.
PERIOD_SUFFIXED = ("spike", "unrouted_backlog", "approvals_queue", "one_shoulder")


def backfill_situations(apps, schema_editor):
    EarlyWarning = apps.get_model("command", "EarlyWarning")
    for warning in EarlyWarning.objects.filter(situation="").only("pk", "rule", "fingerprint"):
        situation = warning.fingerprint
        if warning.rule in PERIOD_SUFFIXED and situation.count(":") >= 2:
            situation = situation.rsplit(":", 1)[0]
        EarlyWarning.objects.filter(pk=warning.pk).update(situation=situation)


def move_open_warnings_to_the_withdraw_version(apps, schema_editor):
    from workflow.definitions import load_file

    ProcessVersion = apps.get_model("workflow", "ProcessVersion")
    WorkItem = apps.get_model("workflow", "WorkItem")
    stale = WorkItem.objects.filter(process_name=PROCESS, closed_at__isnull=True).exclude(
        process_version__definition__actions__has_key="withdraw"
    )
    if not stale.exists():
        return
    path = Path(__file__).resolve().parents[1] / "processes" / f"{PROCESS}.yaml"
    definition = load_file(path)
    if "withdraw" not in definition.actions:
        return
    content_hash = definition.content_hash()
    latest = ProcessVersion.objects.filter(name=PROCESS).order_by("-version").first()
    target = ProcessVersion.objects.filter(name=PROCESS, content_hash=content_hash).first()
    if target is None:
        target = ProcessVersion.objects.create(
            name=PROCESS,
            version=(latest.version + 1) if latest else 1,
            title=definition.title,
            content_hash=content_hash,
            definition=definition.as_json(),
            source_path=f"command/processes/{PROCESS}.yaml",
            published_at=timezone.now(),
        )
    stale.update(process_version=target)


class Migration(migrations.Migration):
    dependencies = [
        ("command", "0006_territorial_warning_rules"),
        ("workflow", "0005_open_queue_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="earlywarning",
            name="situation",
            field=models.CharField(db_index=True, default="", max_length=200, verbose_name="情形"),
        ),
        migrations.RunPython(backfill_situations, migrations.RunPython.noop),
        migrations.RunPython(move_open_warnings_to_the_withdraw_version, migrations.RunPython.noop),
    ]
