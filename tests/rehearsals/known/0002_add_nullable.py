from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField("post", "summary", models.CharField(max_length=80, null=True))
    ]
