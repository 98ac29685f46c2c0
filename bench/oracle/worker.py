"""The oracle's hands inside one release: a process of that release's own code.

Run by path with the release's own Python (``python .../worker.py``), so the
release's virtualenv needs only Django and model_bakery (and, for the
``safe_migrate`` calls, django_zerodowntime on its path): nothing here imports
the driver. ``ZDT_ORACLE_CONFIG`` (JSON) says which settings module to load,
the scratch database to use instead of the project's own, settings to
override and which apps to fill and exercise.

It answers one JSON request per line on stdin with one JSON line on the
stdout it started with; everything the release prints goes to stderr. After
each request it closes its database connections, so it never holds a lock
or a transaction while the other release's process changes the schema.

One file, larger than our modules usually are, because it runs by path in
another virtualenv, where nothing beside it can be imported: its own folder
is even taken off ``sys.path`` so that the driver's modules (``process``,
``report``...) cannot shadow the release's own.

Requests (``{"command": name, ...arguments}``):

- ``migrate`` (args): Django's own ``migrate`` command.
- ``call`` (name, args): any management command; its stdout and exit code.
- ``fill`` (rows, seed): rows of every model of the apps, written by
  model_bakery through this release's ORM; it remembers what every table holds.
- ``exercise`` (seed): create, read, filter, update, delete of every model;
  ``{check: null or the error}``.
- ``compare``: what is gone or changed among the remembered rows.
- ``remember``: remember the rows as they are now (after an exercise).
- ``plan`` / ``step``: the unapplied migrations, then one operation at a
  time, each applied by Django's own ``Migration.apply`` in its own schema
  editor (so the other release can look between two operations).
"""

from __future__ import annotations

import io
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

Checks = dict[str, str | None]
Rows = dict[str, dict[str, dict[str, str]]]
CHECKS = ("create", "read", "filter", "update", "delete")
# Fields whose equality filter is not a plain comparison on every database.
UNFILTERABLE = {"BinaryField", "JSONField", "FloatField", "FileField", "ImageField"}


def configure(config: dict[str, Any]) -> None:
    """Load the release's settings, pointed at the scratch database, and set Django up."""
    os.environ["DJANGO_SETTINGS_MODULE"] = config["settings"]
    import django
    from django.conf import settings

    settings.DATABASES = {"default": config["database"]}
    for name, value in config.get("overrides", {}).items():
        setattr(settings, name, value)
    if config.get("zerodowntime") and "django_zerodowntime" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_zerodowntime"]
    django.setup()


def error_text(error: BaseException) -> str:
    first = str(error).strip().splitlines()
    return f"{type(error).__name__}: {first[0] if first else ''}"[:300]


def models(labels: list[str], auto_created: bool) -> list[Any]:
    """The concrete, managed models of ``labels`` (with M2M through tables if asked)."""
    from django.apps import apps

    found = []
    for label in labels:
        if label not in apps.app_configs:  # an app this release does not have (yet)
            continue
        for model in apps.get_app_config(label).get_models(include_auto_created=auto_created):
            meta = model._meta
            if meta.managed and not meta.proxy and not meta.swapped:
                found.append(model)
    return found


def plain(value: Any) -> str:
    """A stable text for a value read back, to compare it later."""
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    return json.dumps(value, default=str, sort_keys=True)


class Worker:
    def __init__(self, config: dict[str, Any]) -> None:
        self.apps: list[str] = list(config.get("apps", []))
        self.baseline: Rows = {}
        self.steps: list[tuple[Any, int, Any]] = []
        self.position = 0
        self.state: Any = None

    # -- the old release: schema, rows, what its code does --------------------------------

    def migrate(self, args: list[str]) -> None:
        from django.core.management import call_command

        call_command("migrate", *args, verbosity=0, interactive=False)

    def call(self, name: str, args: list[str]) -> dict[str, Any]:
        from django.core.management import CommandError, call_command

        out = io.StringIO()
        try:
            call_command(name, *args, stdout=out, stderr=sys.stderr)
            code = 0
        except CommandError as error:
            code = error.returncode
        return {"stdout": out.getvalue(), "code": code}

    def fill(self, rows: int, seed: int) -> dict[str, Any]:
        """``rows`` rows per model, remembered: every optional field filled; optional
        fields left empty and defaults kept; then every field set, at its edge."""
        from django.db import transaction
        from model_bakery import baker

        baker.seed(seed)
        teach_baker(models(self.apps, auto_created=False))
        failures: dict[str, str] = {}
        for model in models(self.apps, auto_created=False):
            for number in range(rows):
                profile = number % 3
                try:
                    with transaction.atomic():
                        values = edge_values(model) if profile == 2 else database_defaults(model)
                        make(model, _fill_optional=profile != 1, make_m2m=True, **values)
                except Exception as error:
                    failures[f"{model._meta.label}#{number}"] = error_text(error)
        self.baseline = self.read_all()
        counts = {label: len(rows_) for label, rows_ in self.baseline.items()}
        return {"failures": failures, "rows": counts}

    def read_all(self) -> Rows:
        found: Rows = {}
        for model in models(self.apps, auto_created=True):
            rows = read_rows(model)
            if rows is not None:
                found[model._meta.label] = rows
        return found

    def remember(self) -> None:
        """Take what every table holds now as what ``compare`` compares with."""
        self.baseline = self.read_all()

    def compare(self) -> list[str]:
        """Each remembered row that is gone and each remembered value that changed."""
        losses: list[str] = []
        now = self.read_all()
        for label, rows in self.baseline.items():
            current = now.get(label)
            if current is None:  # the table cannot be read: the exercise reports that
                continue
            for pk, values in rows.items():
                if pk not in current:
                    losses.append(f"{label} pk={pk}: row gone")
                    continue
                for name, value in values.items():
                    after = current[pk].get(name)
                    # A NULL the migration fills in loses nothing the old code wrote.
                    if after is not None and after != value and value != "null":
                        losses.append(f"{label} pk={pk} {name}: {value[:60]} -> {after[:60]}")
        return losses

    def exercise(self, seed: int) -> Checks:
        from model_bakery import baker

        baker.seed(seed)
        results: Checks = {}
        for model in models(self.apps, auto_created=False):
            for check, outcome in exercise_model(model):
                results[f"{model._meta.label}:{check}"] = outcome
        return results

    # -- the new release: its plan, one operation at a time --------------------------------

    def plan(self) -> list[dict[str, Any]]:
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        self.steps = [
            (migration, index, operation)
            for migration, backwards in plan
            if not backwards
            for index, operation in enumerate(migration.operations)
        ]
        # The whole project state as migrate builds it (every applied migration).
        self.state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
        self.position = 0
        return [
            {
                "app": migration.app_label,
                "migration": migration.name,
                "index": index,
                "operation": type(operation).__name__,
                "description": operation.describe(),
            }
            for migration, index, operation in self.steps
        ]

    def step(self) -> dict[str, Any]:
        """Apply the next operation as ``migrate`` would; record its migration after its last."""
        from django.db import connection
        from django.db.migrations import Migration
        from django.db.migrations.recorder import MigrationRecorder

        migration, index, operation = self.steps[self.position]
        self.position += 1
        one = Migration(migration.name, migration.app_label)
        one.operations = [operation]  # type: ignore[misc]
        one.atomic = migration.atomic  # type: ignore[misc]
        try:
            with connection.schema_editor(atomic=migration.atomic) as editor:
                self.state = one.apply(self.state, editor)
        except Exception as error:
            return {"error": error_text(error)}
        if index == len(migration.operations) - 1:
            recorder = MigrationRecorder(connection)
            for app, name in migration.replaces or [(migration.app_label, migration.name)]:
                recorder.record_applied(app, name)
        return {"error": None}


def make(model: Any, **options: Any) -> Any:
    """A row written by the old code: ``baker.make``, or, when the model's own logic
    refuses baker's values (a tree node that only ``add_root`` makes, a ``save()`` that
    needs a related row), the old ORM's plain INSERT of every field (``bulk_create``)."""
    from django.db import DatabaseError, transaction
    from model_bakery import baker

    options = {**fresh_key(model), **options}
    try:
        with transaction.atomic():
            return baker.make(model, **options)
    except DatabaseError:  # the database refused: that is what the check is for
        raise
    except Exception:
        options.pop("make_m2m", None)
        with transaction.atomic():
            row = baker.prepare(model, _save_related=True, **options)
            return model._base_manager.bulk_create([row])[0]


def fresh_key(model: Any) -> dict[str, Any]:
    """A primary key no row has yet, for a model whose key is not generated by the
    database (oscar's two-letter ``Country.iso_3166_1_a2``): ``save()`` with a key that
    exists would rewrite that row, a remembered one, instead of adding one."""
    from django.db import DatabaseError, transaction
    from django.db.models.fields import AutoFieldMixin
    from model_bakery import baker

    key = model._meta.pk
    if isinstance(key, AutoFieldMixin) or key.is_relation or key.has_default():
        return {}
    maker = baker.Baker(model)
    for _ in range(50):
        try:
            value = maker.generate_value(key, commit=False)
            with transaction.atomic():
                if not model._base_manager.filter(pk=value).exists():
                    return {key.name: value}
        except (DatabaseError, TypeError):
            return {}
    return {}


def teach_baker(found: list[Any]) -> None:
    """A field class of the app's own that baker does not know (oscar's ``SlugField``,
    ``UppercaseCharField``...) gets the generator of the nearest Django field it subclasses,
    or of a text field when it subclasses none baker knows."""
    from django.db.models import TextField
    from model_bakery import generators

    known = generators.get_type_mapping()
    for model in found:
        for field in model._meta.concrete_fields:
            kind = type(field)
            if kind in known or generators.get(kind):
                continue
            base = next((cls for cls in kind.__mro__[1:] if cls in known), None)
            # No Django base baker knows (a SearchVectorField): text, which such columns take.
            generators.user_mapping[kind] = known[base or TextField]


def database_defaults(model: Any) -> dict[str, Any]:
    """Fields the database fills (db_default), left to it as code that does not set them
    does (baker would write the expression itself)."""
    from django.db.models import NOT_PROVIDED

    return {
        field.name: field.get_default()
        for field in model._meta.concrete_fields
        if field.db_default is not NOT_PROVIDED and not field.has_default()
    }


def edge_values(model: Any) -> dict[str, Any]:
    """Values the old code may write that baker leaves alone: fields with a default get
    one anyway, integers the lowest their column takes (negative, unless positive)."""
    import copy

    from django.db import connection
    from django.db.models import NOT_PROVIDED
    from model_bakery import baker

    maker = baker.Baker(model)
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation or getattr(field, "generated", False):
            continue
        internal = field.get_internal_type()
        try:
            if "IntegerField" in internal and not field.choices:
                values[field.name] = connection.ops.integer_field_range(internal)[0]
            elif field.has_default() or field.db_default is not NOT_PROVIDED:
                bare = copy.copy(field)
                bare.default = bare.db_default = NOT_PROVIDED
                values[field.name] = maker.generate_value(bare, commit=False)
        except Exception:  # a field baker cannot generate: keep its default
            values.pop(field.name, None)
    return values


def read_rows(model: Any) -> dict[str, dict[str, str]] | None:
    """Every row of ``model`` by pk, each field the ORM can still read; None if none can."""
    from django.db import DatabaseError, transaction

    manager = model._base_manager
    # A value the ORM rewrites on every save (auto_now) changes whenever the old code
    # saves a row, which the exercise does: not a loss.
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key and not getattr(field, "auto_now", False)
    ]

    def values(*fields: str) -> list[tuple[Any, ...]] | None:
        try:
            with transaction.atomic():
                return list(manager.order_by("pk").values_list("pk", *fields))
        except DatabaseError:
            return None

    everything = values(*names)
    if everything is not None:
        return {
            plain(row[0]): {name: plain(v) for name, v in zip(names, row[1:], strict=True)}
            for row in everything
        }
    pks = values()
    if pks is None:
        return None
    rows: dict[str, dict[str, str]] = {plain(row[0]): {} for row in pks}
    for name in names:  # one column at a time: the ones still there
        for pk, value in values(name) or []:
            rows.setdefault(plain(pk), {})[name] = plain(value)
    return rows


def exercise_model(model: Any) -> Iterator[tuple[str, str | None]]:
    """Each check of the old code on ``model``, each in its own committed transaction."""
    from django.db import transaction

    manager = model._base_manager
    made: list[Any] = []

    def attempt(action: Callable[[], Any]) -> str | None:
        try:
            with transaction.atomic():
                action()
        except Exception as error:
            return error_text(error)
        return None

    defaults = database_defaults(model)
    yield "create", attempt(lambda: made.append(make(model, make_m2m=True, **defaults)))
    existing: list[Any] = []
    if not made:  # read, filter and rewrite a remembered row instead
        attempt(lambda: existing.extend(manager.order_by("pk")[:1]))
    row = (made or existing or [None])[0]
    if row is None:
        for check in CHECKS[1:]:
            yield check, "skipped: no row to work on"
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]

    def read() -> None:
        fetched = manager.get(pk=row.pk)
        for field in model._meta.many_to_many:
            list(getattr(fetched, field.name).all())

    def filter_() -> None:
        lookups = {
            field.attname: getattr(row, field.attname)
            for field in fields
            if field.get_internal_type() not in UNFILTERABLE
            and getattr(row, field.attname) is not None
        }
        manager.filter(pk=row.pk, **lookups).count()

    def update() -> None:
        row.save()
        manager.filter(pk=row.pk).update(**{f.attname: getattr(row, f.attname) for f in fields})

    yield "read", attempt(read)
    yield "filter", attempt(filter_)
    yield "update", attempt(update)
    yield "delete", attempt(row.delete) if made else "skipped: the row was not made here"


def serve(
    worker: Worker, requests: Iterator[str], answer: Callable[[dict[str, Any]], None]
) -> None:
    from django.db import connections

    for line in requests:
        request = json.loads(line)
        command = request.pop("command")
        try:
            answer({"ok": True, "result": getattr(worker, command)(**request)})
        except Exception as error:
            answer({"ok": False, "error": error_text(error), "trace": traceback.format_exc()})
        finally:
            with suppress(Exception):
                connections.close_all()


def main() -> None:
    here = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != here]
    protocol = sys.stdout
    sys.stdout = sys.stderr  # whatever the release prints stays off the protocol

    def answer(message: dict[str, Any]) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    try:
        config = json.loads(os.environ["ZDT_ORACLE_CONFIG"])
        configure(config)
    except Exception as error:
        answer({"ok": False, "error": error_text(error), "trace": traceback.format_exc()})
        raise SystemExit(2) from None
    answer({"ok": True, "result": "ready"})
    serve(Worker(config), iter(sys.stdin.readline, ""), answer)


if __name__ == "__main__":
    main()
