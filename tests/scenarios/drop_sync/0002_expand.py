from django.db import migrations

from django_zerodowntime import operations
from tests.scenarios.expand_contract_steps import PAIR


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("testapp", "0001_initial")]
    operations = [
        operations.AddShadowColumn(**PAIR),
        operations.SyncColumns(**PAIR),
        operations.CopyToNewColumn(**PAIR),
    ]
