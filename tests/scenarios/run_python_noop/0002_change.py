from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        # What many apps ship where a data migration used to be: it does nothing.
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
