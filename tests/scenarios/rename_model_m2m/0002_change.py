from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AlterModelTable("tag", "testapp_tag"),
        migrations.RenameModel("Tag", "Label"),
    ]
