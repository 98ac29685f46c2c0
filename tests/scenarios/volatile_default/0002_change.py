from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField(
            "post", "score", models.FloatField(db_default=models.functions.Random())
        ),
    ]
