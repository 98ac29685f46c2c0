from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.RunSQL(["-- retire tags", "DROP TABLE IF EXISTS testapp_tag CASCADE;"]),
    ]
