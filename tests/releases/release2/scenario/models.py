"""Release 2: stops using subtitle, summary, author, tags and the Legacy table."""

from django.db import models

from django_zerodowntime import unused, unused_model


class Author(models.Model):
    name = models.CharField(max_length=100)


class Tag(models.Model):
    name = models.CharField(max_length=50)


@unused_model
class Legacy(models.Model):
    note = models.CharField(max_length=100)


class Article(models.Model):
    title = models.CharField(max_length=200)
    subtitle = unused(models.CharField(max_length=100, default=""))
    summary = unused(models.TextField(db_column="abstract", default=""))
    author = unused(models.ForeignKey(Author, on_delete=models.CASCADE))
    tags = unused(models.ManyToManyField(Tag))
