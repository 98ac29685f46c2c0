"""``manage.py expand_contract``: rename or retype a column in three deploys, one migration each.

    python manage.py expand_contract rename blog.Post.title headline --step expand
    python manage.py expand_contract retype blog.Post.views "models.BigIntegerField()" --step expand

then ``--step switch`` in the next release and ``--step contract`` in the one
after. Each run writes one migration file into the app's migrations folder and
prints what to change in models.py and what must be true before the next step.

Exit status: 0 the migration was written; 2 bad input (unknown app, model or
field, a field it cannot move, a name already taken, a step out of order, a
database without the triggers it needs): nothing was written.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from django_zerodowntime.errors import ExitError
from django_zerodowntime.expand.plan import STEPS, Request
from django_zerodowntime.expand.run import expand_contract


class Command(BaseCommand):
    help = (
        "Write the migration of one step (expand, switch, contract) of renaming or retyping "
        "a column without downtime, and say what to do next."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", metavar="rename|retype")
        parser.add_argument("target", metavar="APP_LABEL.Model.field")
        parser.add_argument(
            "argument",
            metavar="NEW_NAME|FIELD_EXPRESSION",
            help='rename: the new field name; retype: e.g. "models.BigIntegerField()"',
        )
        parser.add_argument("--step", required=True, help=" | ".join(STEPS))
        parser.add_argument("--name", help="the migration's name after its number")
        parser.add_argument("--column", help="retype: the new column's name (default: <column>_v2)")
        parser.add_argument("--batch-size", type=int, default=1000, help="rows per backfill batch")
        parser.add_argument("--database", default="default", help="whose vendor must support it")

    def handle(self, *args: Any, **options: Any) -> None:
        request = Request(
            kind=options["action"],
            target=options["target"],
            argument=options["argument"],
            step=options["step"],
            name=options["name"],
            column=options["column"],
            batch_size=options["batch_size"],
            database=options["database"],
        )
        try:
            written = expand_contract(request)
        except ExitError as error:
            raise error.command_error() from None
        for line in written.lines:
            self.stdout.write(line)
