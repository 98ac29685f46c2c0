from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("legacy", "0002_more")]
    operations = [
        # Names a field the state does not have: Django's state_forwards fails here.
        migrations.RemoveField("ledger", "missing"),
        migrations.AddField("ledger", "kind", models.CharField(max_length=10, null=True)),
    ]
