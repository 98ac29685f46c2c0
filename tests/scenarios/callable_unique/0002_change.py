import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField(
            "post", "token", models.UUIDField(default=uuid.uuid4, unique=True, null=True)
        ),
    ]
