from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    replaces = [("legacy", "0001_initial"), ("legacy", "0002_more")]
    operations = [
        migrations.CreateModel(
            "Ledger",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("label", models.CharField(max_length=20)),
                ("memo", models.CharField(max_length=40, null=True)),
            ],
        ),
    ]
