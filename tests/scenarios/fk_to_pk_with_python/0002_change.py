from django.db import migrations, models


def touch(apps, schema_editor):
    apps.get_model("testapp", "Post").objects.update(views=0)


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        # to_field naming the target's primary key is what the field had already: no SQL,
        # so the RunPython beside it holds no DDL lock on PostgreSQL.
        migrations.AlterField(
            "post",
            "author",
            models.ForeignKey("testapp.Author", models.CASCADE, null=True, to_field="id"),
        ),
        migrations.RunPython(touch),
    ]
