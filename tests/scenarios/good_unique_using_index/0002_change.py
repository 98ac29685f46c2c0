from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'CREATE UNIQUE INDEX CONCURRENTLY "post_title_uniq" '
                    'ON "testapp_post" ("title")',
                    'DROP INDEX CONCURRENTLY IF EXISTS "post_title_uniq"',
                ),
                migrations.RunSQL(
                    'ALTER TABLE "testapp_post" ADD CONSTRAINT "post_title_uniq" '
                    'UNIQUE USING INDEX "post_title_uniq"',
                    'ALTER TABLE "testapp_post" DROP CONSTRAINT "post_title_uniq"',
                ),
            ],
            state_operations=[
                migrations.AddConstraint(
                    "post", models.UniqueConstraint(fields=["title"], name="post_title_uniq")
                ),
            ],
        ),
    ]
