"""`expand_contract rename testapp.Post.body content`, its three steps, and a Backfill.

The migrations are the ones expand_contract writes for that field (body is a
NOT NULL TextField, so the switch step makes the new column NOT NULL), with
smaller batches, so that a few thousand rows make several of them; 0003 fills
subtitle from title with a plain ``Backfill``.
"""

from django.db import models

PAIR = {
    "model_name": "post",
    "old_name": "body",
    "old_field": models.TextField(default=""),
    "new_name": "content",
    "new_field": models.TextField(default=""),
}
