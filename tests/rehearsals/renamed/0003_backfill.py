from django.db import migrations
from django.db.models import F

from django_zerodowntime.operations import Backfill


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("testapp", "0002_expand")]
    operations = [
        Backfill("post", "subtitle", F("title"), batch_size=1000),
    ]
