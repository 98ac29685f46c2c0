from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        # Django %-formats index names when it renders the model: this one fails there, so
        # Django's migrate stops at this step; the analysis must refuse it here too.
        migrations.AddIndex("post", models.Index(fields=["views"], name="post_%d_idx")),
    ]
