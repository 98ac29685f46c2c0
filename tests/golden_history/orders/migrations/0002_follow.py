from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("people", "0003_rename")]
    operations = [
        migrations.AlterField(
            "order", "team", models.ForeignKey("people.Squad", models.SET_NULL, null=True)
        ),
        migrations.AddField("order", "note", models.TextField(default="", blank=True)),
        migrations.CreateModel(
            "Refund",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("order", models.OneToOneField("orders.Order", models.CASCADE)),
            ],
        ),
        migrations.AddField(
            "refund", "amount", models.IntegerField(default=0), preserve_default=False
        ),
    ]
