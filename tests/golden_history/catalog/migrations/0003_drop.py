from django.db import migrations

from tests.golden_history.catalog import operations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_evolve")]
    operations = [
        migrations.RemoveField("product", "tags"),
        migrations.DeleteModel("Bundle"),
        migrations.RunSQL("DROP TABLE catalog_obsolete", migrations.RunSQL.noop),
        operations.Vacuum(),
    ]
