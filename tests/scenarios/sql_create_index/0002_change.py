from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.RunSQL("CREATE INDEX post_views_sql ON testapp_post (views)"),
    ]
