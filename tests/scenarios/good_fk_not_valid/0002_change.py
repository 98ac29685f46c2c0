from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.AddField(
            "post",
            "editor",
            models.ForeignKey(
                "testapp.Author",
                models.SET_NULL,
                null=True,
                related_name="+",
                db_constraint=False,
                db_index=False,
            ),
        ),
        migrations.RunSQL(
            'ALTER TABLE "testapp_post" ADD CONSTRAINT "post_editor_fk" FOREIGN KEY ("editor_id") '
            'REFERENCES "testapp_author" ("id") NOT VALID',
            'ALTER TABLE "testapp_post" DROP CONSTRAINT "post_editor_fk"',
        ),
        migrations.RunSQL(
            'ALTER TABLE "testapp_post" VALIDATE CONSTRAINT "post_editor_fk"',
            migrations.RunSQL.noop,
        ),
    ]
