"""The models the shared ``0001_initial`` of the scenarios creates, as the old code has them."""

from django.db import models
from django.db.models.functions import Now


class Author(models.Model):
    name = models.CharField(max_length=100)


class Tag(models.Model):
    name = models.CharField(max_length=30)


class Post(models.Model):
    title = models.CharField(max_length=50, db_index=True)
    body = models.TextField(default="")
    subtitle = models.CharField(max_length=200, null=True)  # noqa: DJ001 (as 0001 has it)
    views = models.IntegerField(default=0)
    created = models.DateTimeField(db_default=Now())
    author = models.ForeignKey(Author, models.CASCADE, null=True)
    tags = models.ManyToManyField(Tag)
