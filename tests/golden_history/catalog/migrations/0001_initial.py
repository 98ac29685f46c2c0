from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            "Category",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=50)),
                ("parent", models.ForeignKey("self", models.CASCADE, null=True)),
            ],
        ),
        migrations.CreateModel(
            "Tag",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("label", models.CharField(max_length=20)),
            ],
        ),
        migrations.CreateModel(
            "Product",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("title", models.CharField(max_length=100)),
                ("category", models.ForeignKey("catalog.Category", models.PROTECT)),
                ("tags", models.ManyToManyField("catalog.Tag")),
            ],
        ),
        migrations.CreateModel(
            "Bundle",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=50)),
                ("items", models.ManyToManyField("catalog.Product")),
            ],
        ),
    ]
