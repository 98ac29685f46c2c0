from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AlterField("post", "title", models.TextField(db_index=True)),
    ]
