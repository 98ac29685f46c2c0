from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.CreateModel("Draft", [("id", models.BigAutoField(primary_key=True))]),
        migrations.RenameModel("Draft", "Note"),
        migrations.AddField("note", "body", models.TextField(default="")),
        migrations.RenameField("note", "body", "text"),
        migrations.AddIndex("note", models.Index(fields=["id"], name="note_id_idx")),
        migrations.RemoveField("note", "text"),
    ]
