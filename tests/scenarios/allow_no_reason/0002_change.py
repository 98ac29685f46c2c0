from django.db import migrations, models


class Migration(migrations.Migration):
    zerodowntime_allow = {"ZDT301": ""}
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddIndex("post", models.Index(fields=["views"], name="post_views_idx")),
    ]
