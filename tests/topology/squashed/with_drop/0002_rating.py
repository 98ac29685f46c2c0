from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("squashed", "0001_initial")]
    operations = [migrations.AddField("item", "rating", models.IntegerField(null=True))]
