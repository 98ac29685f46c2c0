from django.db import migrations, models

from tests.scenarios.thirdparty import StagedAddField, StagedAddIndex, StagedRemoveField


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        StagedAddField("post", "rank", models.IntegerField(), stage="pre_deploy"),
        StagedRemoveField("post", "subtitle", stage="post_deploy"),
        StagedAddIndex("post", models.Index(fields=["views"], name="post_views_idx")),
    ]
