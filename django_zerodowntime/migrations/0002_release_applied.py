# A nullable column: releases before it keep inserting Release rows (heartbeats) without it.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("django_zerodowntime", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="release",
            name="applied",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
