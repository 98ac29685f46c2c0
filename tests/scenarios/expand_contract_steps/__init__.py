"""What `expand_contract rename testapp.Post.subtitle tagline` writes, in three steps."""

from django.db import models

PAIR = {
    "model_name": "post",
    "old_name": "subtitle",
    "old_field": models.CharField(max_length=200, null=True),
    "new_name": "tagline",
    "new_field": models.CharField(max_length=200, null=True),
}
