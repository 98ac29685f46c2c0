"""What expand_contract refuses, checked in-process on migration states (no files written)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.db.migrations.state import ModelState

from django_zerodowntime.errors import ExitError
from django_zerodowntime.expand import plan, run, target, writer
from django_zerodowntime.expand.plan import Request


def state(*fields: tuple[str, Any], **options: Any) -> ModelState:
    return ModelState(
        "shop", "Order", [("id", models.BigAutoField(primary_key=True)), *fields], options
    )


def refused(call: Any, *args: Any) -> str:
    with pytest.raises(ExitError) as error:
        call(*args)
    assert int(error.value.code) == 2
    return error.value.message


@pytest.mark.parametrize(
    ("field", "options", "message"),
    [
        (models.ForeignKey("shop.Order", models.CASCADE), {}, "is a relation"),
        (models.IntegerField(db_index=True), {}, "is indexed or constrained"),
        (models.IntegerField(), {"unique_together": [("total", "id")]}, "indexed or constrained"),
        (
            models.IntegerField(),
            {"indexes": [models.Index(fields=["total"], name="total_idx")]},
            "indexed or constrained",
        ),
        (
            models.IntegerField(),
            {"constraints": [models.CheckConstraint(condition=models.Q(total__gte=0), name="c")]},
            "indexed or constrained",
        ),
        (models.IntegerField(), {"managed": False}, "unmanaged or a proxy"),
    ],
)
def test_fields_it_cannot_move(field: Any, options: dict[str, Any], message: str) -> None:
    assert message in refused(
        target.check_field, "shop", state(("total", field), **options), "total"
    )


def test_a_generated_column_is_refused() -> None:
    generated = models.GeneratedField(
        expression=models.F("id"), output_field=models.BigIntegerField(), db_persist=True
    )
    assert "generated column" in refused(
        target.check_field, "shop", state(("total", generated)), "total"
    )


def test_a_column_of_a_composite_primary_key_is_refused() -> None:
    order = ModelState(
        "shop",
        "Order",
        [
            ("pk", models.CompositePrimaryKey("shop_id", "number")),
            ("shop_id", models.IntegerField()),
            ("number", models.IntegerField()),
        ],
    )
    assert "is part of the composite primary key ('shop_id', 'number')" in refused(
        target.check_field, "shop", order, "number"
    )


@pytest.mark.parametrize(
    "expression",
    [
        "models.BigIntegerField(",
        "models.BigIntegerField",
        "json.Field()",
        "x.y.BigIntegerField()",
        "models.Q()",
        "max(1)",
    ],
)
def test_field_expressions_it_refuses(expression: str) -> None:
    assert "is not a field expression" in refused(target.parse_field, expression)


def test_the_new_column_name_counts_up() -> None:
    assert target.next_column("total", set()) == "total_v2"
    assert target.next_column("total_v2", {"total_v3"}) == "total_v4"


def request(kind: str, argument: str, **more: Any) -> Request:
    return Request(kind, "shop.Order.total", argument, "expand", **more)


def test_a_rename_of_a_pinned_column_is_refused() -> None:
    old = models.IntegerField(db_column="amount")
    message = refused(
        plan.renamed, request("rename", "sum"), state(("total", old)), old, "total", {}
    )
    assert "pins its column with db_column='amount'" in message


def test_retypes_it_refuses() -> None:
    old = models.IntegerField()
    order = state(("total", old))
    columns = {"total": "total", "total_v2": "other"}
    indexed = request("retype", "models.BigIntegerField(unique=True)")
    assert "a key, indexed or a relation" in refused(plan.retyped, indexed, order, old, "total", {})
    taken = request("retype", "models.BigIntegerField()", column="total_v2")
    assert "is taken or invalid" in refused(plan.retyped, taken, order, old, "total", columns)


def test_requests_it_refuses_before_reading_anything() -> None:
    assert "--batch-size must be 1 or more" in refused(
        run.check_request, request("rename", "sum", batch_size=0)
    )
    assert "no database 'nope'" in refused(
        run.check_request, request("rename", "sum", database="nope")
    )


def test_atomic_false_is_written_once() -> None:
    text = "class Migration(migrations.Migration):\n\n    dependencies = []\n"
    once = writer.with_atomic(text, atomic=False)
    assert once.count("atomic = False") == 1
    assert writer.with_atomic(once, atomic=False) == once
    assert writer.with_atomic(text, atomic=True) == text
