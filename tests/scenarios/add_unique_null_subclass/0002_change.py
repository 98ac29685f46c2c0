from django.db import migrations

from tests.scenarios.fields import NullCharField


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField("post", "code", NullCharField(max_length=64, unique=True)),
    ]
