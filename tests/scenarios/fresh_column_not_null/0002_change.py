from django.db import migrations, models


def fill(apps, schema_editor):
    apps.get_model("testapp", "Post").objects.update(slug="x")


class Migration(migrations.Migration):
    # django-oauth-toolkit 3.0's token_checksum: added nullable, filled, then NOT NULL,
    # all in one release: the old code does not know the column and leaves it out.
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField("post", "slug", models.CharField(max_length=20, null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField("post", "slug", models.CharField(max_length=20)),
    ]
