from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AlterField(
            "post",
            "title",
            models.CharField(
                max_length=50,
                db_index=True,
                help_text="Shown on the list",
                choices=[("a", "A")],
                verbose_name="headline",
            ),
        ),
        migrations.AlterModelOptions("post", {"ordering": ["-id"], "verbose_name": "article"}),
    ]
