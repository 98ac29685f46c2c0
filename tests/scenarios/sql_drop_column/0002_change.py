from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.RunSQL("ALTER TABLE testapp_post DROP COLUMN subtitle", migrations.RunSQL.noop),
    ]
