from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0002_add_nullable")]
    operations = [migrations.AddField("post", "rating", models.IntegerField(db_default=3))]
