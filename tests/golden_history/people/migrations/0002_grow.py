import uuid

from django.db import migrations, models


def backfill(apps, schema_editor):
    pass


def forget(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [
        migrations.AddField("person", "nickname", models.CharField(max_length=40, null=True)),
        migrations.AddField(
            "person", "age", models.IntegerField(default=0), preserve_default=False
        ),
        migrations.AddField(
            "person",
            "code",
            models.CharField(max_length=36, null=True, unique=True, default=uuid.uuid4),
        ),
        migrations.AddField("person", "score", models.IntegerField(db_default=0)),
        migrations.AlterField("person", "name", models.CharField(max_length=100, help_text="full")),
        migrations.AlterField("person", "email", models.CharField(max_length=80, null=True)),
        migrations.AlterField("employee", "salary", models.BigIntegerField(default=0)),
        migrations.AddField(
            "team", "leads", models.ManyToManyField("people.Person", related_name="led_teams")
        ),
        migrations.AddIndex("person", models.Index(fields=["name"], name="person_name_idx")),
        migrations.AddConstraint(
            "team",
            models.CheckConstraint(condition=~models.Q(name=""), name="team_name_not_empty"),
        ),
        migrations.AlterUniqueTogether("team", {("name",)}),
        migrations.AlterModelOptions("person", {"ordering": ["name"]}),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(forget),
    ]
