from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("people", "0001_initial"), ("catalog", "0001_initial")]
    operations = [
        migrations.CreateModel(
            "Order",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("buyer", models.ForeignKey("people.Person", models.CASCADE)),
                ("product", models.ForeignKey("catalog.Product", models.CASCADE)),
                ("team", models.ForeignKey("people.Team", models.CASCADE, null=True)),
                # An M2M table named after a model another app renames (people.Team).
                ("watchers", models.ManyToManyField("people.Team", related_name="watched")),
            ],
        ),
    ]
