from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.CreateModel(
            "Legacy",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("code", models.CharField(max_length=10)),
                ("note", models.CharField(max_length=50, null=True)),
            ],
            options={"managed": False},
        ),
    ]
