"""``--format sarif``: the report as SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs).

Rendered from the JSON document alone. One result per blocked or warning
finding (``level`` error or warning) and per allowed one (with its
justification as an in-source suppression); the location is the migration
file, relative to the repository root (``%SRCROOT%``; an installed package's
below its import root, ``PYTHONPATH``), and the line where the operation starts.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django_zerodowntime import __version__
from django_zerodowntime.safety.findings import DOCS_URL, RULES, rule_url

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"blocked": "error", "warning": "warning", "safe": "note"}
RULE_IDS = list(RULES)


def render(document: dict[str, Any]) -> str:
    return json.dumps(sarif(document), indent=2)


def sarif(document: dict[str, Any]) -> dict[str, Any]:
    results = [
        result(migration, op)
        for migration in document["migrations"]
        for op in migration["operations"]
        if op["rule"] in RULES and (op["verdict"] != "safe" or op["allowed"])
    ]
    properties: dict[str, Any] = {
        key: document[key] for key in ("verdict", "release", "database") if key in document
    }
    if "base" in document:
        properties["base"] = document["base"]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "django-zerodowntime",
                        "semanticVersion": __version__,
                        "informationUri": f"{DOCS_URL}safe_migrate.html",
                        "rules": [rule(rule_id) for rule_id in RULE_IDS],
                    }
                },
                "results": results,
                "properties": properties,
            }
        ],
    }


def rule(rule_id: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "shortDescription": {"text": RULES[rule_id]},
        "helpUri": rule_url(rule_id),
    }


def result(migration: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    text = f"{migration['app']}.{migration['name']} {describe(op)}: {op['reason']}"
    if op["remedy"]:
        text += f"\n{op['remedy']}"
    if op["line"] and not op["line_exact"]:
        text += "\n(The line is where `operations` is assigned: code builds this operation.)"
    found: dict[str, Any] = {
        "ruleId": op["rule"],
        "ruleIndex": RULE_IDS.index(op["rule"]),
        "level": LEVELS[op["verdict"]],
        "message": {"text": text},
        "properties": {
            key: op.get(key)
            for key in ("index", "operation", "target", "verdict", "harm", "line_exact")
        },
    }
    if migration["file"]:
        found["locations"] = [location(migration, op)]
    if op["allowed"]:
        found["suppressions"] = [
            {"kind": "inSource", "status": "accepted", "justification": op["allowed"]["reason"]}
        ]
    return found


def describe(op: dict[str, Any]) -> str:
    index = "" if op["index"] is None else f"#{op['index']} "
    return f"{index}{op['operation']} {op['target']}"


def location(migration: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    # Outside the repository (an installed package) the path is below its import root.
    base = "%SRCROOT%" if migration["in_repository"] else "PYTHONPATH"
    artifact = {"uri": quote(migration["file"]), "uriBaseId": base}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if op["line"]:
        physical["region"] = {"startLine": op["line"]}
    return {
        "physicalLocation": physical,
        "logicalLocations": [
            {"fullyQualifiedName": f"{migration['app']}.{migration['name']}", "kind": "module"}
        ],
    }
