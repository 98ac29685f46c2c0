"""``--format github``: one GitHub Actions workflow command per finding.

``::error file=PATH,line=N,title=ZDT101::message`` for a blocked operation,
``::warning`` for a warning, ``::notice`` for an allowed finding (its reason in
the message), so each shows on the pull request's diff at that migration's line.
Rendered from the JSON document alone, escaped as the Actions runner reads
commands: ``%``, CR and LF in the message; also ``:`` and ``,`` in properties.
"""

from __future__ import annotations

from typing import Any

COMMANDS = {"blocked": "error", "warning": "warning"}


def render(document: dict[str, Any]) -> str:
    lines = [
        command(migration, op)
        for migration in document["migrations"]
        for op in migration["operations"]
        if op["rule"] and (op["verdict"] != "safe" or op["allowed"])
    ]
    judged = len(document["migrations"])
    summary = f"safe_migrate: {judged} migration(s) judged, verdict {document['verdict']}"
    return "\n".join([*lines, f"::notice title=safe_migrate::{escape_data(summary)}"])


def command(migration: dict[str, Any], op: dict[str, Any]) -> str:
    name = "notice" if op["allowed"] else COMMANDS.get(op["verdict"], "notice")
    properties = []
    if migration["in_repository"]:  # an annotation on a file outside it would go nowhere
        properties.append(f"file={escape_property(migration['file'])}")
        if op["line"]:
            properties.append(f"line={op['line']}")
    properties.append(f"title={escape_property(op['rule'])}")
    index = "" if op["index"] is None else f"#{op['index']} "
    message = (
        f"{migration['app']}.{migration['name']} {index}{op['operation']} {op['target']}: "
        f"{op['reason']}"
    )
    if op["allowed"]:
        message += f"\nAllowed: {op['allowed']['reason']}"
    elif op["remedy"]:
        message += f"\n{op['remedy']}"
    return f"::{name} {','.join(properties)}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
