"""Dropping an index and a check: unapplying it creates them again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0002_add")]
    operations = [
        migrations.RemoveIndex("post", "post_views_idx"),
        migrations.RemoveConstraint("post", "post_views_gte_0"),
    ]
