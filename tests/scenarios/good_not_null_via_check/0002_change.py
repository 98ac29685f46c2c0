from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.RunSQL(
            'ALTER TABLE "testapp_post" ADD CONSTRAINT "subtitle_not_null" '
            'CHECK ("subtitle" IS NOT NULL) NOT VALID',
            'ALTER TABLE "testapp_post" DROP CONSTRAINT "subtitle_not_null"',
        ),
        migrations.RunSQL(
            'ALTER TABLE "testapp_post" VALIDATE CONSTRAINT "subtitle_not_null"',
            migrations.RunSQL.noop,
        ),
    ]
