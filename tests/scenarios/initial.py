"""The shared first migration of every scenario: the 'old code' schema."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [
        migrations.CreateModel(
            "Author",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=100)),
            ],
        ),
        migrations.CreateModel(
            "Tag",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=30)),
            ],
        ),
        migrations.CreateModel(
            "Post",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("title", models.CharField(max_length=50, db_index=True)),
                ("body", models.TextField(default="")),
                ("subtitle", models.CharField(max_length=200, null=True)),
                ("views", models.IntegerField(default=0)),
                ("created", models.DateTimeField(db_default=models.functions.Now())),
                ("author", models.ForeignKey("testapp.Author", models.CASCADE, null=True)),
                ("tags", models.ManyToManyField("testapp.Tag")),
            ],
        ),
    ]
