from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField(
            "post",
            "code",
            models.CharField(max_length=20, db_default="draft", unique=True, null=True),
        ),
    ]
