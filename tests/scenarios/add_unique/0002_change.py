from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddConstraint(
            "post", models.UniqueConstraint(fields=["title"], name="post_title_uniq")
        ),
    ]
