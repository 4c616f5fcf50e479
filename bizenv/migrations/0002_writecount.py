from django.db import migrations, models

SEQUENCE = "bizenv_writes"  # bizenv/writes.py, as it is on the day this is written


def create_count(apps, schema_editor):
    """The count's row (SQLite), and its sequence on PostgreSQL."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
        # Called once, so that the next nextval() moves last_value (a new sequence's first one returns it as it is).
        schema_editor.execute(f"SELECT nextval('{SEQUENCE}')")
    apps.get_model("bizenv", "WriteCount").objects.get_or_create(pk=1)


def drop_count(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("bizenv", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="WriteCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_count, drop_count),
    ]
