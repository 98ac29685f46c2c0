"""Run in a subprocess from REF's worktree: REF's code, REF's migrations, the same settings.

``python -m django_zerodowntime.migrate.base_probe --alias A (--sqlite FILE | --name DB)
--result FILE [--replay]`` loads REF's code (``django.setup()``), takes the schema
snapshot of its models (what it uses, what it marks unused), then makes the
scratch database hold REF's migrations as applied, and writes a JSON result.

Building: by default the schema of REF's final migration state is created
directly (each model's ``create_model``, extensions first) and every migration
is recorded as applied, which costs a fraction of replaying the history
(``migrate`` on an empty database replays every table rebuild). ``--replay``
runs Django's ``migrate`` instead; the parent falls back to it when the direct
build fails. Exit status: 0 done, 2 REF's code failed to import, 3 the build
failed. REF's own code may print anything, so the result goes to a file.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any

IMPORT_FAILED = 2
BUILD_FAILED = 3


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alias", required=True)
    parser.add_argument("--sqlite")
    parser.add_argument("--name", default="")
    parser.add_argument("--result", required=True)
    parser.add_argument("--replay", action="store_true")
    args = parser.parse_args(argv)
    try:
        import django

        django.setup()
        from django_zerodowntime.ledger.snapshot import take_snapshot

        snapshot = take_snapshot()
    except Exception as error:  # REF's settings, apps or models do not import
        return finish(args.result, IMPORT_FAILED, {"error": one_line(error)})
    try:
        connection = use_scratch(args.alias, args.sqlite, args.name)
        count = replay(connection) if args.replay else build_from_state(connection)
    except Exception as error:
        return finish(args.result, BUILD_FAILED, {"error": one_line(error)})
    document = {"snapshot": snapshot.to_json(), "migrations": count, "replayed": args.replay}
    return finish(args.result, 0, document)


def one_line(error: BaseException) -> str:
    """``ModuleNotFoundError: No module named 'x' (shop/models.py, line 3)``."""
    text = (str(error).strip().splitlines() or [""])[0]
    frames = traceback.extract_tb(error.__traceback__)
    where = f" ({frames[-1].filename}, line {frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {text}{where}"


def finish(path: str, code: int, document: dict[str, Any]) -> int:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    return code


def use_scratch(alias: str, sqlite_file: str | None, name: str) -> Any:
    from django.db import connections

    from django_zerodowntime.migrate.scratch import settings_for, wrapper_for

    settings_dict = settings_for(connections.settings[alias], sqlite_file, name)
    connections[alias] = wrapper_for(alias, settings_dict)
    connections.settings[alias] = settings_dict
    return connections[alias]


def replay(connection: Any) -> int:
    from django.core.management import call_command
    from django.db.migrations.recorder import MigrationRecorder

    call_command(
        "migrate", database=connection.alias, interactive=False, verbosity=0, skip_checks=True
    )
    return len(MigrationRecorder(connection).applied_migrations())


def build_from_state(connection: Any) -> int:
    """REF's final migration state as tables, and every REF migration recorded as applied."""
    from django.db import router
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.state import ProjectState

    loader = MigrationLoader(connection)
    graph = loader.graph
    ordered = list(
        dict.fromkeys(key for leaf in graph.leaf_nodes() for key in graph.forwards_plan(leaf))
    )
    state = loader.project_state()
    with connection.schema_editor() as editor:
        for key in ordered:  # e.g. CREATE EXTENSION hstore, before a table uses the type
            migration = graph.nodes[key]
            for operation in migration.operations:
                if type(operation).__name__ in ("CreateExtension", "CreateCollation"):
                    operation.database_forwards(
                        migration.app_label, editor, ProjectState(), ProjectState()
                    )
        for model in state.apps.get_models():
            opts = model._meta
            if opts.app_label not in loader.migrated_apps or not opts.can_migrate(connection):
                continue
            if router.allow_migrate_model(connection.alias, model):
                distinct_names(opts)
                editor.create_model(model)
    return record_applied(connection, loader, ordered)


def distinct_names(opts: Any) -> None:
    """A migration state can list one index twice (taggit's history does, after
    index_together became Meta.indexes); the database has it once."""
    for attribute in ("indexes", "constraints"):
        seen: dict[str, Any] = {}
        for item in getattr(opts, attribute):
            seen.setdefault(item.name, item)
        setattr(opts, attribute, list(seen.values()))


def record_applied(connection: Any, loader: Any, keys: list[tuple[str, str]]) -> int:
    """What ``migrate`` records: every migration, and each one a squashed migration replaces."""
    from django.db.migrations.recorder import MigrationRecorder

    names = set(keys)
    for key in keys:
        names.update(getattr(loader.graph.nodes[key], "replaces", None) or ())
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    rows = [recorder.Migration(app=app, name=name) for app, name in sorted(names)]
    recorder.migration_qs.bulk_create(rows)
    return len(rows)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
