from django.db import migrations

from django_zerodowntime import operations
from tests.scenarios.expand_contract_steps import PAIR


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("testapp", "0002_expand")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[operations.SetNewColumnNotNull(**PAIR)],
            state_operations=[migrations.RenameField("post", "subtitle", "tagline")],
        ),
    ]
