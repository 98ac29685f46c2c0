from django.db import migrations, models

RETIRED = ["subtitle", "views"]


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField("post", "summary", models.CharField(max_length=20, null=True)),
    ] + [migrations.RemoveField("post", name) for name in RETIRED]
