from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.RunSQL("UPDATE testapp_post SET views = 0 WHERE views < 0"),
    ]
