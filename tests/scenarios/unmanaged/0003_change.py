"""Changes to a model another system owns (managed = False): Django runs no SQL for them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0002_legacy")]
    operations = [
        migrations.AddField("legacy", "rank", models.IntegerField()),
        migrations.AlterField("legacy", "code", models.CharField(max_length=5)),
        migrations.RenameField("legacy", "note", "remark"),
        migrations.RemoveField("legacy", "remark"),
        migrations.RenameModel("Legacy", "Heritage"),
    ]
