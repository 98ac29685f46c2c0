"""The catalog app before any expand_contract step: title, views and note in use."""

from django.db import models


class Item(models.Model):
    title = models.CharField(max_length=200)
    views = models.IntegerField(default=0)
    note = models.CharField(max_length=100, default="")
    sku = models.CharField(max_length=20, null=True, unique=True)  # noqa: DJ001
