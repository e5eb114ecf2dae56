from django.db import migrations

# The children search is a case-insensitive prefix match on names and an exact match on the
# LA child id (UPPER(x) LIKE 'ABC%', UPPER(x) = 'ID'). PostgreSQL answers both from expression
# indexes with pattern ops; SQLite has no equivalent, and its test-sized tables need none.
NAMES = ("given_name", "family_name", "la_child_id")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS child_{name}_prefix_idx "
            f"ON cases_child (UPPER({name}::text) text_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS child_{name}_prefix_idx")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
