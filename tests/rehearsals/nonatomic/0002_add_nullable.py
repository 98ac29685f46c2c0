"""A quick DDL statement outside any transaction: its lock is gone when it returns."""

from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField("post", "summary", models.CharField(max_length=80, null=True))
    ]
