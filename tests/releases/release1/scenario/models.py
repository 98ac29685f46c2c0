"""Release 1: every field in use."""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Legacy(models.Model):
    note = models.CharField(max_length=100)


class Article(models.Model):
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=100, default="")
    summary = models.TextField(db_column="abstract", default="")
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)
