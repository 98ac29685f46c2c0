from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField(
            "post",
            "editor",
            models.ForeignKey("testapp.Author", models.SET_NULL, null=True, related_name="+"),
        ),
    ]
