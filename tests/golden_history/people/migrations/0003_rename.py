from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0002_grow")]
    operations = [
        migrations.RenameField("person", "nickname", "alias"),
        migrations.RenameField("person", "name", "full_name"),
        migrations.AlterField(
            "person", "email", models.CharField(max_length=80, null=True, db_column="email")
        ),
        migrations.RenameField("person", "email", "mail"),
        migrations.RenameModel("Team", "Squad"),
        migrations.AlterModelTable("employee", "people_staff"),
        migrations.RenameIndex(
            "person", new_name="person_full_name_idx", old_name="person_name_idx"
        ),
        migrations.AlterModelOptions("archive", {"managed": False, "verbose_name": "archive"}),
    ]
