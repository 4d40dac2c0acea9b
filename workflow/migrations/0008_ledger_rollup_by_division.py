"""The ledger rollup summed per division (workflow/rollups.py), filled from the grid rollup as it stands
so a running system needs no refold. The fill holds the rollup cursors' rows, so a fold of the previous
code cannot commit between the two; a worker still running that code after the migration would fold
into the grid rollup alone — `reconcile_figures` shows it and `fold_ledger --rebuild` repairs it."""

import datetime

from django.db import migrations, models

DIVISION_LEVELS = (6, 9, 12)  # county, town, village: workflow.rollups.DIVISION_LEVELS when written


def fill_from_grid_rollup(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT id FROM workflow_ledgerrollupcursor FOR UPDATE")
        for size in DIVISION_LEVELS:
            cursor.execute(
                "INSERT INTO workflow_ledgerrollupbydivision (process_name, division_code, day, measure, "
                "flags, since_day, closed_day, deferred_day, count) "
                "SELECT process_name, substr(territory_code, 1, %s), day, measure, flags, since_day, "
                "closed_day, deferred_day, SUM(count) FROM workflow_ledgerrollup "
                "WHERE length(territory_code) >= %s "
                "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING SUM(count) <> 0",
                [size, size],
            )


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0007_process_version_order'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerRollupByDivision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('process_name', models.CharField(max_length=80, verbose_name='流程')),
                ('division_code', models.CharField(max_length=12, verbose_name='区划代码')),
                ('day', models.DateField(verbose_name='日期（本地）')),
                ('measure', models.CharField(max_length=40, verbose_name='指标')),
                ('flags', models.CharField(blank=True, max_length=60, verbose_name='标记')),
                ('since_day', models.DateField(default=datetime.date(9999, 12, 31), verbose_name='首次超期日')),
                ('closed_day', models.DateField(default=datetime.date(9999, 12, 31), verbose_name='结案日')),
                ('deferred_day', models.DateField(default=datetime.date(9999, 12, 31), verbose_name='首次缓办日')),
                ('count', models.IntegerField(default=0, verbose_name='计数')),
            ],
            options={
                'verbose_name': '台账区划汇总',
                'verbose_name_plural': '台账区划汇总',
                'constraints': [models.UniqueConstraint(fields=('process_name', 'division_code', 'day', 'measure', 'flags', 'since_day', 'closed_day', 'deferred_day'), name='ledger_rollup_division_key')],
            },
        ),
        migrations.RunPython(fill_from_grid_rollup, migrations.RunPython.noop),
    ]
