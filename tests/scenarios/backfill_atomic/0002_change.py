from django.db import migrations
from django.db.models import F

from django_zerodowntime.operations import Backfill


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        Backfill("post", "subtitle", F("title")),
    ]
