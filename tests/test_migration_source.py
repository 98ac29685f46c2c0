"""Reading a migration file for its lines and allow comments (safety/source.py).

A file that cannot be read or parsed gives no positions; the analysis goes on
without them instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from django_zerodowntime.safety.source import locate, read_text

LATIN_1 = """\
# -*- coding: latin-1 -*-
from django.db import migrations


class Migration(migrations.Migration):
    operations = [
        # zerodowntime_allow ZDT503: r\xe9sum\xe9 rows are few
        migrations.RunSQL("UPDATE t SET c = 1"),
    ]
"""


def test_a_file_with_a_coding_declaration_is_read_in_that_encoding(tmp_path: Path) -> None:
    path = tmp_path / "0002_latin.py"
    path.write_bytes(LATIN_1.encode("latin-1"))
    text = read_text(str(path))
    assert text is not None
    assert "r\xe9sum\xe9 rows are few" in text
    located = locate(str(path), text, 1)
    assert located is not None
    [comment] = located.comments
    assert (comment.rules, comment.reason) == (("ZDT503",), "r\xe9sum\xe9 rows are few")


def test_a_file_in_no_declared_encoding_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "0002_bad.py"
    path.write_bytes(b"# caf\xe9\n")
    assert read_text(str(path)) is None


def test_a_missing_file_or_none_is_not_read(tmp_path: Path) -> None:
    assert read_text(str(tmp_path / "absent.py")) is None
    assert read_text(None) is None


def test_a_file_that_does_not_parse_has_no_positions() -> None:
    assert locate("0002_broken.py", "class Migration(:\n", 1) is None
    assert locate("0002_nul.py", "x = 1\0\n", 1) is None
