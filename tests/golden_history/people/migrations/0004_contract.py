from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("people", "0003_rename"), ("orders", "0002_follow")]
    operations = [
        migrations.RemoveField("person", "user"),
        migrations.RemoveField("squad", "members"),
        migrations.RemoveConstraint("squad", "team_name_not_empty"),
        migrations.RemoveIndex("person", "person_full_name_idx"),
        migrations.DeleteModel("PersonProxy"),
        migrations.DeleteModel("Archive"),
        migrations.RemoveField("person", "alias"),
    ]
