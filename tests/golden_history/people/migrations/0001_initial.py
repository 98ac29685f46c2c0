from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [
        migrations.CreateModel(
            "Person",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=100)),
                ("email", models.CharField(max_length=200, null=True)),
                (
                    "user",
                    models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True),
                ),
            ],
        ),
        migrations.CreateModel(
            "Team",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=50)),
                ("members", models.ManyToManyField("people.Person")),
            ],
        ),
        migrations.CreateModel(
            "Employee",
            [
                (
                    "person_ptr",
                    models.OneToOneField(
                        "people.Person",
                        models.CASCADE,
                        parent_link=True,
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("salary", models.IntegerField(default=0)),
            ],
            bases=("people.person",),
        ),
        migrations.CreateModel(
            "PersonProxy", [], options={"proxy": True}, bases=("people.person",)
        ),
        migrations.CreateModel(
            "Archive",
            [("id", models.BigAutoField(primary_key=True)), ("note", models.TextField())],
            options={"managed": False, "db_table": "people_archive_view"},
        ),
    ]
