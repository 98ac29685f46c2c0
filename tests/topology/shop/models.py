"""Lives on the default database only; stage 2 stops using ``memo``."""

from django.db import models

from django_zerodowntime import unused
from tests.topology import RETIRED


class Order(models.Model):
    number = models.CharField(max_length=20)
    memo = unused(models.TextField(null=True)) if RETIRED else models.TextField(null=True)
