from django.db import migrations
from django.db.migrations.operations.base import Operation


class Shout(Operation):
    def __init__(self, model_name):
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute("UPDATE testapp_post SET title = UPPER(title)")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        Shout("post"),
    ]
