"""Many kinds of column, index and constraint, for --verify-schema to find no drift in."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models.functions import Now


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [
        migrations.CreateModel(
            "Gadget",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("code", models.CharField(max_length=20, unique=True)),
                ("price", models.DecimalField(max_digits=10, decimal_places=2)),
                ("count", models.PositiveIntegerField(default=0)),
                ("small", models.PositiveSmallIntegerField(default=0)),
                ("flag", models.BooleanField(default=False)),
                ("born", models.DateField(null=True)),
                ("at", models.TimeField(null=True)),
                ("data", models.JSONField(default=dict)),
                ("uid", models.UUIDField(null=True)),
                ("ip", models.GenericIPAddressField(null=True)),
                ("ratio", models.FloatField(null=True)),
                ("blob", models.BinaryField(null=True)),
                ("label", models.CharField(max_length=30, db_default="x")),
                ("rating", models.IntegerField(db_default=3)),
                ("stamp", models.DateTimeField(db_default=Now())),
                (
                    "owner",
                    models.ForeignKey(
                        "testapp.Author",
                        models.SET_NULL,
                        null=True,
                        db_column="owner_ref",
                        related_name="+",
                    ),
                ),
                (
                    "twin",
                    models.OneToOneField(
                        "testapp.Post",
                        django.db.models.deletion.CASCADE,
                        null=True,
                        related_name="+",
                    ),
                ),
                ("tags", models.ManyToManyField("testapp.Tag", related_name="+")),
            ],
            options={
                "db_table": "gadgets",
                "unique_together": {("small", "born")},
                "indexes": [
                    models.Index(fields=["price", "-count"], name="gadget_price_count"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=["owner", "code"], name="gadget_owner_code"),
                    models.CheckConstraint(
                        condition=models.Q(price__gte=0), name="gadget_price_gte_0"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            "Slot",
            [("key", models.CharField(max_length=40, primary_key=True))],
        ),
        # Neither is a table migrations make: --verify-schema must not look for them.
        migrations.CreateModel(
            "Legacy",
            [("id", models.AutoField(primary_key=True))],
            options={"managed": False, "db_table": "legacy_things"},
        ),
        migrations.CreateModel(
            "GadgetProxy", [], options={"proxy": True}, bases=("testapp.gadget",)
        ),
    ]
