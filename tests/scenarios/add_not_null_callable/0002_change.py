from django.db import migrations, models
from django.utils import timezone


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField("post", "published", models.DateTimeField(default=timezone.now)),
    ]
