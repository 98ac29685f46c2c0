from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        # django-auditlog 3.0's LogEntry.changes: text the old code wrote becomes JSON.
        migrations.AlterField("post", "body", models.JSONField(default=dict)),
    ]
