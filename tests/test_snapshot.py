"""Which tables and columns a release's models use or mark unused (real db names)."""

from __future__ import annotations

import pytest
from django.apps.registry import Apps
from django.db import models

from django_zerodowntime import unused, unused_model
from django_zerodowntime.ledger.snapshot import Snapshot, take_snapshot
from django_zerodowntime.usage import Usage


def release_apps(*, retire: bool) -> Apps:
    """A throwaway registry holding one release of a small app."""
    registry = Apps(["tests.testapp"])
    mark = unused if retire else (lambda field: field)

    class Writer(models.Model):
        Meta = type("Meta", (), {"app_label": "testapp", "apps": registry})

    class Label(models.Model):
        Meta = type("Meta", (), {"app_label": "testapp", "apps": registry})

    class Entry(models.Model):
        title = models.CharField(max_length=10)
        subtitle = mark(models.CharField(max_length=10))
        summary = mark(models.TextField(db_column="Abstract"))
        writer = mark(models.ForeignKey(Writer, on_delete=models.CASCADE))
        labels = mark(models.ManyToManyField(Label))
        Meta = type(
            "Meta", (), {"app_label": "testapp", "apps": registry, "db_table": "blog_entry"}
        )

    class Old(models.Model):
        note = models.CharField(max_length=10)
        Meta = type("Meta", (), {"app_label": "testapp", "apps": registry})

    class OldProxy(Old):
        Meta = type("Meta", (), {"app_label": "testapp", "apps": registry, "proxy": True})

    if retire:
        unused_model(Old)
    return registry


def test_snapshot_lists_real_column_names() -> None:
    snapshot = take_snapshot(release_apps(retire=False))
    assert ("blog_entry", "Abstract") in snapshot.columns
    assert ("blog_entry", "writer_id") in snapshot.columns
    assert "blog_entry_labels" in snapshot.tables
    assert ("blog_entry_labels", "label_id") in snapshot.columns
    assert not snapshot.unused_columns
    assert not snapshot.unused_tables


def test_snapshot_moves_marked_fields_and_models_to_unused() -> None:
    snapshot = take_snapshot(release_apps(retire=True))
    assert ("blog_entry", "subtitle") in snapshot.unused_columns
    assert ("blog_entry", "Abstract") in snapshot.unused_columns
    assert ("blog_entry", "writer_id") in snapshot.unused_columns
    assert ("blog_entry", "title") in snapshot.columns
    assert {"blog_entry_labels", "testapp_old"} <= snapshot.unused_tables
    assert "testapp_old" not in snapshot.tables
    assert not snapshot.uses(Usage("blog_entry", "subtitle"))
    assert not snapshot.uses(Usage("testapp_old"))
    assert snapshot.uses(Usage("blog_entry"))


def test_fields_without_a_column_of_their_own_are_not_listed() -> None:
    """A ForeignObject reads other columns; an M2M whose through model is not loaded
    names no table yet: neither adds a name of its own."""
    registry = Apps(["tests.testapp"])

    class Shop(models.Model):
        number = models.IntegerField(unique=True)
        Meta = type("Meta", (), {"app_label": "testapp", "apps": registry})

    class Sale(models.Model):
        shop_number = models.IntegerField()
        shop = models.ForeignObject(
            Shop, models.CASCADE, from_fields=["shop_number"], to_fields=["number"]
        )
        tags = unused(models.ManyToManyField("testapp.Tag", through="testapp.SaleTag"))
        Meta = type("Meta", (), {"app_label": "testapp", "apps": registry})

    snapshot = take_snapshot(registry)
    assert {c for c in snapshot.columns if c[0] == "testapp_sale"} == {
        ("testapp_sale", "id"),
        ("testapp_sale", "shop_number"),
    }
    assert "testapp_saletag" not in snapshot.tables | snapshot.unused_tables


def test_uses_compares_names_case_insensitively() -> None:
    snapshot = take_snapshot(release_apps(retire=False))
    assert snapshot.uses(Usage("BLOG_ENTRY", "abstract"))
    assert snapshot.uses(Usage('"blog_entry"', "`title`"))
    assert not snapshot.uses(Usage("blog_entry", "missing"))


def test_json_round_trip() -> None:
    snapshot = take_snapshot(release_apps(retire=True))
    assert Snapshot.from_json(snapshot.to_json()) == snapshot


def test_union_keeps_what_either_version_uses() -> None:
    used = take_snapshot(release_apps(retire=False))
    retired = take_snapshot(release_apps(retire=True))
    both = retired.union(used)
    assert both.uses(Usage("blog_entry", "subtitle"))
    assert ("blog_entry", "subtitle") not in both.unused_columns


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not a JSON object"),
        ({"columns": []}, "no 'tables'"),
        ({"tables": [1], "columns": []}, "not strings"),
        ({"tables": [], "columns": {}}, "not a list"),
        ({"tables": [], "columns": [["t"]]}, r"\[table, column\]"),
    ],
)
def test_corrupt_snapshot_is_reported(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Snapshot.from_json(data)
