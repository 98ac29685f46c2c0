"""Lives on the ``other`` database only; stage 2 stops using ``body``."""

from django.db import models

from django_zerodowntime import unused
from tests.topology import RETIRED


def _body() -> models.TextField:  # type: ignore[type-arg]
    return models.TextField(db_column="entry_body", null=True)


class Entry(models.Model):
    title = models.CharField(max_length=100)
    body = unused(_body()) if RETIRED else _body()
