from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AlterField("post", "title", models.CharField(max_length=60, db_index=True)),
    ]
