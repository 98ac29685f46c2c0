"""Says what the scratch copy holds, through the only channel out of it: a failure."""

from django.db import migrations


def count(apps, schema_editor):  # type: ignore[no-untyped-def]
    post, author = apps.get_model("testapp", "Post"), apps.get_model("testapp", "Author")
    orphans = post.objects.exclude(author=None).exclude(author__in=author.objects.all()).count()
    raise RuntimeError(
        f"COPY HOLDS posts={post.objects.count()} authors={author.objects.count()} "
        f"orphans={orphans} alias={schema_editor.connection.alias} "
        f"name={schema_editor.connection.settings_dict['NAME']}"
    )


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
