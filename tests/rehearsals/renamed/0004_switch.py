from django.db import migrations

from django_zerodowntime import operations
from tests.rehearsals.renamed import PAIR


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("testapp", "0003_backfill")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[operations.SetNewColumnNotNull(**PAIR)],
            state_operations=[migrations.RenameField("post", "body", "content")],
        ),
    ]
