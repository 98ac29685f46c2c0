from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        AddIndexConcurrently("post", models.Index(fields=["views"], name="post_views_idx")),
    ]
