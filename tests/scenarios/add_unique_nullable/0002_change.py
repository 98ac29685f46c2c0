from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField(
            "post", "code", models.CharField(max_length=255, unique=True, null=True, blank=True)
        ),
    ]
