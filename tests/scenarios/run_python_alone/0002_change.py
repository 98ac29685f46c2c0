from django.db import migrations


def backfill(apps, schema_editor):
    apps.get_model("testapp", "Post").objects.filter(views__lt=0).update(views=0)


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
