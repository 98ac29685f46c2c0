"""The "stop using it" marker: unused(field) and @unused_model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, models
from django.db.models.sql import InsertQuery
from django.test.utils import isolate_apps

from django_zerodowntime import unused, unused_model
from django_zerodowntime.fields import UnusedAttribute, is_unused_field, is_unused_model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def article_model():  # type: ignore[no-untyped-def]
    with isolate_apps("tests.testapp"):

        class Writer(models.Model):
            name = models.CharField(max_length=50)

            class Meta:
                app_label = "testapp"

        class Label(models.Model):
            class Meta:
                app_label = "testapp"

        class Article(models.Model):
            title = models.CharField(max_length=200)
            subtitle = unused(models.CharField(max_length=100))
            summary = unused(models.TextField(db_column="abstract"))
            rank = unused(models.IntegerField(db_default=0))
            writer = unused(models.ForeignKey(Writer, on_delete=models.CASCADE))
            labels = unused(models.ManyToManyField(Label))

            class Meta:
                app_label = "testapp"

        yield Article


def test_unused_field_is_left_out_of_select(article_model) -> None:  # type: ignore[no-untyped-def]
    sql = str(article_model.objects.all().query)
    assert '"title"' in sql or "`title`" in sql or "title" in sql
    for column in ("subtitle", "abstract", "rank", "writer_id"):
        assert column not in sql


def test_unused_field_is_left_out_of_insert_and_update(article_model) -> None:  # type: ignore[no-untyped-def]
    names = [field.name for field in article_model._meta.local_concrete_fields]
    assert names == ["id", "title"]
    query = InsertQuery(article_model)
    query.insert_values(article_model._meta.local_concrete_fields[1:], [article_model(title="t")])
    insert_sql = str(query.get_compiler(connection=connection).as_sql()[0][0])
    assert "subtitle" not in insert_sql
    assert "title" in insert_sql


def test_reading_unused_attribute_raises_naming_the_marker(article_model) -> None:  # type: ignore[no-untyped-def]
    article = article_model(title="t")
    for attribute in ("subtitle", "summary", "writer", "writer_id", "labels"):
        with pytest.raises(AttributeError, match=r"unused\(\)"):
            getattr(article, attribute)


def test_setting_unused_attribute_raises(article_model) -> None:  # type: ignore[no-untyped-def]
    article = article_model(title="t")
    with pytest.raises(AttributeError, match=r"Article\.subtitle is marked unused\(\)"):
        article.subtitle = "x"
    with pytest.raises(AttributeError, match="unused"):
        article_model(title="t", subtitle="x")


def test_deleting_unused_attribute_raises_and_the_class_sees_the_marker(article_model) -> None:  # type: ignore[no-untyped-def]
    article = article_model(title="t")
    with pytest.raises(AttributeError, match=r"Article\.subtitle is marked unused\(\)"):
        del article.subtitle
    # Introspection and system checks read the attribute on the class: no error there.
    assert isinstance(article_model.subtitle, UnusedAttribute)


def test_deconstruct_keeps_the_real_class_and_forces_null(article_model) -> None:  # type: ignore[no-untyped-def]
    field = article_model._meta.get_field("subtitle")
    _name, path, _args, kwargs = field.deconstruct()
    assert path == "django.db.models.CharField"
    assert kwargs == {"max_length": 100, "null": True}


def test_deconstruct_keeps_db_column_and_on_delete(article_model) -> None:  # type: ignore[no-untyped-def]
    _n, _p, _a, summary = article_model._meta.get_field("summary").deconstruct()
    assert summary["db_column"] == "abstract"
    _n, path, _a, writer = article_model._meta.get_field("writer").deconstruct()
    assert path == "django.db.models.ForeignKey"
    assert writer["on_delete"] is models.CASCADE
    assert writer["null"] is True


def test_db_default_field_is_not_forced_nullable(article_model) -> None:  # type: ignore[no-untyped-def]
    _n, _p, _a, kwargs = article_model._meta.get_field("rank").deconstruct()
    assert "null" not in kwargs


def test_many_to_many_is_not_given_null(article_model) -> None:  # type: ignore[no-untyped-def]
    _n, _p, _a, kwargs = article_model._meta.get_field("labels").deconstruct()
    assert "null" not in kwargs


def test_clone_for_migration_state_is_a_plain_field_with_a_column(article_model) -> None:  # type: ignore[no-untyped-def]
    clone = article_model._meta.get_field("summary").clone()
    assert type(clone) is models.TextField
    assert not is_unused_field(clone)
    assert clone.db_column == "abstract"


def test_unused_foreign_key_no_longer_cascades(article_model) -> None:  # type: ignore[no-untyped-def]
    field = article_model._meta.get_field("writer")
    assert field.remote_field.on_delete is models.DO_NOTHING


def test_unused_rejects_a_field_already_on_a_model(article_model) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match="not attached"):
        unused(article_model._meta.get_field("title"))


def test_unused_twice_is_harmless() -> None:
    field = unused(models.CharField(max_length=5))
    assert unused(field) is field


@isolate_apps("tests.testapp")
def test_unused_model_blocks_its_managers_and_saving() -> None:
    @unused_model
    class Retired(models.Model):
        note = models.CharField(max_length=10)

        class Meta:
            app_label = "testapp"

    assert is_unused_model(Retired)
    with pytest.raises(AttributeError, match="@unused_model"):
        Retired.objects.all()  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="@unused_model"):
        Retired(note="x").save()
    # Django's own machinery (cascades) still reaches the table.
    assert Retired._default_manager.model is Retired


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_importing_the_package_needs_no_settings() -> None:
    result = _run_python(
        "import django_zerodowntime as z; from django_zerodowntime import unused, unused_model;"
        " print(z.__version__)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_unknown_package_attribute_raises() -> None:
    import django_zerodowntime

    with pytest.raises(AttributeError):
        django_zerodowntime.nothing_here  # noqa: B018


def test_makemigrations_sees_the_marked_release_as_up_to_date(tmp_path: Path) -> None:
    """Release 2's models (marked unused) match its migrations (the AlterField to null)."""
    from tests.releases import run_release

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = run_release("release2", "makemigrations", "--check", "--dry-run", database_url=url)
    assert result.returncode == 0, result.stdout + result.stderr


def test_forms_and_serializers_skip_unused_fields(article_model) -> None:  # type: ignore[no-untyped-def]
    from django.core import serializers
    from django.forms import modelform_factory

    form = modelform_factory(article_model, fields="__all__")()
    assert list(form.fields) == ["title"]
    data = serializers.serialize("python", [article_model(pk=1, title="t")])
    assert data[0]["fields"] == {"title": "t"}


def test_deconstruct_keeps_explicit_editable_false() -> None:
    field = unused(models.CharField(max_length=5, editable=False))
    field.set_attributes_from_name("code")
    _n, _p, _a, kwargs = field.deconstruct()
    assert kwargs["editable"] is False
    assert "serialize" not in kwargs
