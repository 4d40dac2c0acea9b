"""Append-only in the database on both engines: SQLite triggers refusing UPDATE and DELETE of audit
rows and blocks, and the PostgreSQL trigger of 0002 extended to the blocks table.

SQLite rebuilds a table for most ALTERs (copy, drop, rename), which drops its triggers: a later
migration that alters these tables on SQLite must call `create_sqlite_triggers` again. The test
`test_append_only_triggers_exist` fails if it does not."""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_auditblock")
PG_FUNCTION = "audit_auditblock_append_only"
PG_BLOCK_TRIGGER = "audit_auditblock_append_only_trg"


def sqlite_trigger_names(table: str) -> tuple[str, str]:
    return f"{table}_no_update", f"{table}_no_delete"


def create_sqlite_triggers(execute) -> None:
    """`execute`: a schema editor's or a cursor's execute."""
    for table in TABLES:
        no_update, no_delete = sqlite_trigger_names(table)
        for name, op in ((no_update, "UPDATE"), (no_delete, "DELETE")):
            execute(
                f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only ({op} refused on {table})'); END;"
            )


def drop_sqlite_triggers(execute) -> None:
    for table in TABLES:
        for name in sqlite_trigger_names(table):
            execute(f"DROP TRIGGER IF EXISTS {name};")


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        create_sqlite_triggers(schema_editor.execute)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit blocks are append-only (% refused on audit_auditblock)', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql;
            """,
            None,  # no parameters: the % in RAISE must reach PostgreSQL as it is
        )
        schema_editor.execute(
            f"CREATE TRIGGER {PG_BLOCK_TRIGGER} BEFORE UPDATE OR DELETE ON audit_auditblock "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}();"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        drop_sqlite_triggers(schema_editor.execute)
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {PG_BLOCK_TRIGGER} ON audit_auditblock;")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_chain_and_blocks")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
