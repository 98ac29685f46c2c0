"""The expand step's triggers dropped on their own (what unapplying SyncColumns does)."""

from django.db import migrations

from django_zerodowntime import operations
from tests.scenarios.expand_contract_steps import PAIR


class Migration(migrations.Migration):
    dependencies = [("testapp", "0002_expand")]
    operations = [
        operations.DropSync(**PAIR),
    ]
