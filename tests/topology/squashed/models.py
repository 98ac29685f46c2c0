"""The app whose migrations come squashed; stage 2 stops using ``note``."""

from django.db import models

from django_zerodowntime import unused
from tests.topology import RETIRED


class Item(models.Model):
    name = models.CharField(max_length=50)
    note = unused(models.TextField(null=True)) if RETIRED else models.TextField(null=True)
    rating = models.IntegerField(null=True)
