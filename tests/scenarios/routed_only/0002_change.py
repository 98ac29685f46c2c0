from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AlterOrderWithRespectTo("post", "author"),
        migrations.AlterUniqueTogether("post", {("title", "views")}),
    ]
