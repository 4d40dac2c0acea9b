"""Published versions gain the written order of their states and actions ("order" in the stored JSON).

PostgreSQL's jsonb keeps object keys in its own order (by length, then bytes), so versions stored before
the order was kept lost it there. The order is taken from the definition files of the installed apps
(`<app>/processes/*.yaml`, read as plain YAML): names the file no longer has keep their stored place
after it. Only the order is added: the content and its hash are unchanged."""

from pathlib import Path

import yaml
from django.apps import apps as installed
from django.db import migrations


def written_orders() -> dict[str, dict[str, list[str]]]:
    orders: dict[str, dict[str, list[str]]] = {}
    for config in installed.get_app_configs():
        for path in sorted((Path(config.path) / "processes").glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                orders[data["name"]] = {
                    "states": list(data.get("states") or {}),
                    "actions": list(data.get("actions") or {}),
                }
    return orders


def in_written_order(stored: list[str], written: list[str]) -> list[str]:
    listed = [name for name in written if name in stored]
    return [*listed, *(name for name in stored if name not in listed)]


def add_order(apps, schema_editor):
    ProcessVersion = apps.get_model("workflow", "ProcessVersion")
    orders = written_orders()
    for version in ProcessVersion.objects.all().iterator():
        definition = dict(version.definition)
        if definition.get("order"):
            continue
        written = orders.get(version.name, {})
        definition["order"] = {
            "states": in_written_order(list(definition.get("states") or {}), written.get("states", [])),
            "actions": in_written_order(list(definition.get("actions") or {}), written.get("actions", [])),
        }
        # Past the append-only guard (the base manager): only the order is added, the content stays.
        ProcessVersion._base_manager.filter(pk=version.pk).update(definition=definition)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0006_outbox_message_moves_to_outbox")]

    operations = [migrations.RunPython(add_order, migrations.RunPython.noop)]
