"""Long enough to be interrupted while the rehearsal runs it."""

import time

from django.db import migrations


def wait(apps, schema_editor):  # type: ignore[no-untyped-def]
    time.sleep(120)


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [migrations.RunPython(wait, migrations.RunPython.noop)]
