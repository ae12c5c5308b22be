from django.db import migrations

from egide.audit.triggers import triggers_create, triggers_drop


def forwards(apps, schema_editor):
    triggers_create(schema_editor.connection)


def backwards(apps, schema_editor):
    triggers_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
