"""Where a migration's operations start in its file, and the allow comments written beside them.

Read from the file Django imported the migration from: ``ast`` for positions,
``tokenize`` for comments. Operations written one by one in ``operations = [...]``
get their own lines; operations built by code (a comprehension, a helper,
``*spread``, appended later) get the line of the ``operations`` assignment,
marked as not exact, because nothing in the file says where each one starts.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from typing import Any

from django_zerodowntime.safety.findings import RULES, AllowListError

ALLOW_MARK = re.compile(r"#\s*zerodowntime_allow\b")
ALLOW_COMMENT = re.compile(
    r"#\s*zerodowntime_allow\b\s*(?P<rules>[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)?\s*(?::\s*(?P<reason>.*))?"
)
EXAMPLE = "# zerodowntime_allow ZDT101: the column was never read by any release"


@dataclass(frozen=True)
class Span:
    """Lines ``start`` to ``end`` of one operation (``exact`` False: the whole assignment)."""

    start: int
    end: int
    exact: bool = True

    def holds(self, line: int) -> bool:
        return self.start <= line <= self.end


@dataclass(frozen=True)
class AllowComment:
    line: int
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class MigrationSource:
    path: str
    lines: tuple[str, ...]
    spans: tuple[Span, ...]  # one per operation
    comments: tuple[AllowComment, ...]
    allow_line: int | None  # where ``zerodowntime_allow = {...}`` is assigned

    def is_blank_or_comment(self, line: int) -> bool:
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        return not text or text.startswith("#")


def source_file(migration: Any) -> str | None:
    """The ``.py`` file the migration was imported from, or None (no source shipped)."""
    module = sys.modules.get(type(migration).__module__)
    path = getattr(module, "__file__", None)
    return str(path) if path and str(path).endswith(".py") else None


def read_text(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            return data.decode()  # UTF-8, as nearly every migration file is (PEP 3120)
        except UnicodeDecodeError:
            with tokenize.open(path) as text:  # honours a coding declaration
                return text.read()
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


def locate(path: str, text: str, count: int) -> MigrationSource | None:
    """Positions of the ``count`` operations and the allow comments; None if unparsable."""
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError):
        return None
    body = migration_class(tree)
    assignment = assigned(body, "operations") if body else None
    spans: list[Span] = []
    if assignment is not None:
        spans = operation_spans(assignment.value, count)
        fallback = Span(assignment.lineno, assignment.end_lineno or assignment.lineno, False)
    else:
        anchor = body if body is not None else tree.body[0] if tree.body else None
        start = getattr(anchor, "lineno", 1)
        fallback = Span(start, getattr(anchor, "end_lineno", start) or start, False)
    spans += [fallback] * (count - len(spans))
    allow = assigned(body, "zerodowntime_allow") if body else None
    return MigrationSource(
        path=path,
        lines=tuple(text.splitlines()),
        spans=tuple(spans),
        comments=tuple(allow_comments(path, text)),
        allow_line=allow.lineno if allow is not None else None,
    )


def migration_class(tree: ast.Module) -> ast.ClassDef | None:
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    named = [node for node in classes if node.name == "Migration"] or classes
    return named[-1] if named else None


def assigned(body: ast.ClassDef, name: str) -> ast.Assign | ast.AnnAssign | None:
    found = None
    for node in body.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            found = node  # the last assignment wins, as in Python
    return found  # type: ignore[return-value]


def operation_nodes(value: ast.expr | None) -> tuple[list[ast.expr], bool]:
    """The literal operation expressions of ``operations = ...``, in order, and whether
    they are all of them (False once a comprehension, a call or ``*spread`` is met)."""
    parts: list[ast.expr] = []
    pending = [value] if value is not None else []
    while pending:  # ``[...] + [...] + helper()`` flattened left to right
        node = pending.pop(0)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            pending[:0] = [node.left, node.right]
        else:
            parts.append(node)
    nodes: list[ast.expr] = []
    for part in parts:
        if not isinstance(part, ast.List | ast.Tuple):
            return nodes, False
        for element in part.elts:
            if isinstance(element, ast.Starred):
                return nodes, False
            nodes.append(element)
    return nodes, True


def operation_spans(value: ast.expr | None, count: int) -> list[Span]:
    nodes, complete = operation_nodes(value)
    if (complete and len(nodes) != count) or len(nodes) > count:
        return []  # changed after the assignment: no line can be trusted
    return [Span(node.lineno, node.end_lineno or node.lineno) for node in nodes]


def allow_comments(path: str, text: str) -> list[AllowComment]:
    """Every ``# zerodowntime_allow RULE[, RULE]: reason`` comment; AllowListError if malformed."""
    if not ALLOW_MARK.search(text):
        return []
    found: list[AllowComment] = []
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    for token in tokens:
        if token.type != tokenize.COMMENT or not ALLOW_MARK.match(token.string):
            continue
        line = token.start[0]
        match = ALLOW_COMMENT.match(token.string)
        rules = re.split(r"\s*,\s*", match["rules"]) if match and match["rules"] else []
        reason = (match["reason"] or "").strip() if match else ""
        if not rules or not reason:
            raise AllowListError(
                f"{path}, line {line}: `# zerodowntime_allow` needs a rule id and a reason, "
                f"e.g. `{EXAMPLE}`"
            )
        unknown = [rule for rule in rules if rule not in RULES]
        if unknown:
            raise AllowListError(
                f"{path}, line {line}: `# zerodowntime_allow` names unknown rule "
                f"{unknown[0]!r} (known: {', '.join(sorted(RULES))})"
            )
        found.append(AllowComment(line, tuple(rules), reason))
    return found
