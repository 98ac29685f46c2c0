from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("legacy", "0001_initial")]
    operations = [
        migrations.AddField("ledger", "memo", models.CharField(max_length=40, null=True)),
    ]
