from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        # The column's type comes from the target's primary key: judged with Author rendered.
        migrations.AlterField(
            "post", "author", models.ForeignKey("testapp.Author", models.CASCADE)
        ),
    ]
