from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0004_add_index")]
    operations = [migrations.AlterField("post", "views", models.BigIntegerField(default=0))]
