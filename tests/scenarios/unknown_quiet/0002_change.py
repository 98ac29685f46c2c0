from django.db import migrations
from django.db.migrations.operations.base import Operation


class Whisper(Operation):
    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        Whisper(),
    ]
