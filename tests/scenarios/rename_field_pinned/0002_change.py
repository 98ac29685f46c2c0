from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AlterField(
            "post", "subtitle", models.CharField(max_length=200, null=True, db_column="subtitle")
        ),
        migrations.RenameField("post", "subtitle", "summary"),
    ]
