from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            "Ledger",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("label", models.CharField(max_length=20)),
            ],
        ),
    ]
