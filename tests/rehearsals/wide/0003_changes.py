"""The history a real database goes through: names and types that changed on the way."""

from django.db import migrations, models
from django.db.models.functions import Lower


class Migration(migrations.Migration):
    dependencies = [("testapp", "0002_gadgets")]
    operations = [
        migrations.AlterField("post", "title", models.CharField(max_length=120, db_index=True)),
        migrations.RenameField("post", "body", "content"),
        migrations.RenameModel("Tag", "Label"),
        migrations.AddIndex("post", models.Index(fields=["views"], name="post_views_idx")),
        # An expression index and a partial unique constraint: MariaDB has neither, so
        # Django skips them there (inside CreateModel it would not).
        migrations.AddIndex("gadget", models.Index(Lower("code"), name="gadget_code_lower")),
        migrations.AddConstraint(
            "gadget",
            models.UniqueConstraint(
                fields=["uid"], condition=models.Q(flag=True), name="gadget_uid_flagged"
            ),
        ),
        migrations.AlterField("gadget", "count", models.PositiveIntegerField(default=1)),
    ]
