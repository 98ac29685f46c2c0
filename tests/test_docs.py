"""The docs mention every setting key and every system check id."""

from __future__ import annotations

import re
from pathlib import Path

from django_zerodowntime.conf import DEFAULTS

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_DOC = (ROOT / "docs" / "settings.rst").read_text()


def check_ids_in_code() -> set[str]:
    source = "".join(p.read_text() for p in (ROOT / "django_zerodowntime" / "checks").glob("*.py"))
    found = {f"zerodowntime.{i}" for i in re.findall(r'"(E\d{3})"', source)}
    return found | set(re.findall(r"zerodowntime\.[EW]\d{3}", source))


def test_every_setting_key_is_documented_with_its_default() -> None:
    for key in DEFAULTS:
        assert f"``{key}`` (default" in SETTINGS_DOC, key


def test_every_check_id_is_documented() -> None:
    ids = check_ids_in_code()
    assert len(ids) >= 20
    missing = {i for i in ids if f"``{i}``" not in SETTINGS_DOC}
    assert not missing


def test_no_documented_check_id_is_stale() -> None:
    documented = set(re.findall(r"zerodowntime\.[EW]\d{3}", SETTINGS_DOC))
    assert documented == check_ids_in_code()


def test_health_pages_are_in_the_toctree() -> None:
    index = (ROOT / "docs" / "index.rst").read_text()
    for page in ("settings", "health", "probes"):
        assert f"   {page}\n" in index
