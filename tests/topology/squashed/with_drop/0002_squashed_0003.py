from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("squashed", "0002_rating"), ("squashed", "0003_drop_note")]
    dependencies = [("squashed", "0001_initial")]
    operations = [
        migrations.AddField("item", "rating", models.IntegerField(null=True)),
        migrations.RemoveField("item", "note"),
    ]
