from django.db import migrations

from django_zerodowntime import operations
from tests.scenarios.expand_contract_steps import PAIR


class Migration(migrations.Migration):
    dependencies = [("testapp", "0003_switch")]
    operations = [
        operations.DropOldColumn(**PAIR),
    ]
