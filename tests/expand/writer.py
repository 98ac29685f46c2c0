"""One release's code writing the catalog through the ORM until a stop file appears.

    python -m tests.expand.writer ROLE FIELD:KIND [FIELD:KIND ...] --stop PATH --report PATH

ROLE (``old`` or ``new``) picks the values it writes, so the two writers never
write the same value; each writer only touches rows it created, so the last
value it wrote to a row is the value the row must hold at the end. It creates
(``create`` and ``bulk_create``), saves (``save()`` writes every field) and
updates (``QuerySet.update``), including case-only changes (which a
case-insensitive collation would call equal). Every exception is a failed write,
recorded; the report holds every row's last written values.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path
from typing import Any


def values(role: str, fields: list[tuple[str, str]], counter: int) -> dict[str, Any]:
    base = 1_000_000 if role == "old" else 2_000_000
    return {
        name: (base + counter if kind == "int" else f"{role}-{counter}") for name, kind in fields
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["old", "new"])
    parser.add_argument("fields", nargs="+")
    parser.add_argument("--stop", type=Path, required=True)
    parser.add_argument("--report", type=Path, required=True)
    options = parser.parse_args()
    fields = [tuple(spec.split(":")) for spec in options.fields]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.expand.settings")
    import django

    django.setup()
    from catalog.models import Item  # type: ignore[import-not-found]
    from django.db import connection

    written: dict[int, dict[str, Any]] = {}
    failures: list[str] = []
    counter = writes = 0
    rng = random.Random(options.role)
    while not options.stop.exists():
        counter += 1
        new = values(options.role, fields, counter)  # type: ignore[arg-type]
        step = counter % 5
        try:
            if step == 0 or not written:
                item = Item.objects.create(**new)
                written[item.pk] = new
            elif step == 1:
                item = Item.objects.get(pk=rng.choice(list(written)))
                for name, value in new.items():
                    setattr(item, name, value)
                item.save()
                written[item.pk] = new
            elif step == 2:
                pk = rng.choice(list(written))
                Item.objects.filter(pk=pk).update(**new)
                written[pk] = new
            elif step == 3:
                pk = rng.choice(list(written))
                shouted = {
                    k: v.upper() if isinstance(v, str) else v for k, v in written[pk].items()
                }
                Item.objects.filter(pk=pk).update(**shouted)
                written[pk] = shouted
            else:
                batch = [Item(**values(options.role, fields, counter * 10 + i)) for i in range(3)]  # type: ignore[arg-type]
                for item in Item.objects.bulk_create(batch):
                    written[item.pk] = {name: getattr(item, name) for name, _kind in fields}
            writes += 1
        except Exception as error:  # every failed write is reported, none ends the run
            failures.append(f"{type(error).__name__}: {error}")
            connection.close()
        time.sleep(0.004)
    report = {"writes": writes, "failures": failures, "written": written}
    options.report.write_text(json.dumps(report))


if __name__ == "__main__":
    main()
