from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0003_add_db_default")]
    operations = [
        migrations.AddIndex("post", models.Index(fields=["views"], name="post_views_idx")),
    ]
