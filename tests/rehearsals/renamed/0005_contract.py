from django.db import migrations

from django_zerodowntime import operations
from tests.rehearsals.renamed import PAIR


class Migration(migrations.Migration):
    dependencies = [("testapp", "0004_switch")]
    operations = [
        operations.DropOldColumn(**PAIR),
    ]
