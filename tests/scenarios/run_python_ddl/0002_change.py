from django.db import migrations, models


def backfill(apps, schema_editor):
    apps.get_model("testapp", "Post").objects.update(slug="x")


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField("post", "slug", models.CharField(max_length=50, null=True)),
        migrations.RunPython(backfill),
    ]
