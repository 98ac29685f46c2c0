from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]
    operations = [migrations.RemoveField(model_name="entry", name="body")]
