from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddIndex("post", models.Index(fields=["views"], name="post_views_idx")),
        migrations.AddConstraint(
            "post",
            models.CheckConstraint(condition=models.Q(views__gte=0), name="post_views_gte_0"),
        ),
    ]
