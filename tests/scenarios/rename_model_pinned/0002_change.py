from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AlterModelTable("author", "testapp_author"),
        migrations.RenameModel("Author", "Writer"),
    ]
