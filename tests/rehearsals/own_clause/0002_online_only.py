from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE testapp_post MODIFY views bigint NOT NULL, ALGORITHM=INPLACE, LOCK=NONE",
            migrations.RunSQL.noop,
        ),
    ]
