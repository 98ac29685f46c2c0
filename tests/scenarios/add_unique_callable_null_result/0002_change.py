from django.db import migrations, models


def nothing() -> None:
    return None


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField(
            "post", "code", models.CharField(max_length=20, default=nothing, unique=True, null=True)
        ),
    ]
