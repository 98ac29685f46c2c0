from django.db import migrations
from django.db.models import Q

from django_zerodowntime.operations import Backfill


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("testapp", "0001_initial")]
    operations = [
        Backfill("post", "views", 0, only=Q(views__lt=0)),
    ]
