"""The fleet page in a real headless Chromium: log in, open it, see two hosts on two
releases, keep a screenshot as a test artifact (its path is printed).

Chromium and its driver come from Debian's packages (``apt-get install chromium
chromium-driver``, as .ci/run does); selenium is in the test extra. Screenshots
go to ``ZERODOWNTIME_ARTIFACTS`` when set, else the test's pytest tmp dir.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User

from django_zerodowntime.ledger import record
from django_zerodowntime.ledger.snapshot import Snapshot
from tests.conftest import require_binary

pytestmark = pytest.mark.browser

SNAPSHOT = Snapshot(tables=frozenset({"blog_post"}), columns=frozenset({("blog_post", "title")}))
# Flags that work as root in a container: no sandbox, no GPU, nothing fetched in the background.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,720",
]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    chromium = require_binary("chromium")
    driver_path = require_binary("chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*FLAGS, f"--user-data-dir={tempfile.mkdtemp(dir=tmp_path)}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def artifact(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("ZERODOWNTIME_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_fleet_page_in_a_real_browser(
    browser, live_server, transactional_db, tmp_path, capsys
) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    user = User.objects.create_user("ops", password="deploy-day", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_release"))
    for release, host in (("release-1", "web-1"), ("release-2", "web-2")):
        record.record_release(release, SNAPSHOT)
        record.record_rollout(release, host, "reload")

    browser.get(f"{live_server.url}/admin/login/?next=/admin/django_zerodowntime/release/fleet/")
    browser.find_element(By.NAME, "username").send_keys("ops")
    browser.find_element(By.NAME, "password").send_keys("deploy-day")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "fleet"))
    )

    rows = [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")][:3]
        for row in browser.find_elements(By.CSS_SELECTOR, "#fleet tbody tr")
    ]
    assert rows == [["web-1", "release-1", "reload"], ["web-2", "release-2", "reload"]]
    summary = browser.find_element(By.ID, "fleet-summary").text
    assert summary.startswith("2 hosts on 2 releases: release-1, release-2.")
    # Styled by the admin's own CSS (served by the live server), not a bare page.
    header = browser.find_element(By.ID, "header")
    assert header.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"

    shot = artifact(tmp_path, "fleet.png")
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    with capsys.disabled():  # printed even when pytest captures output
        print(f"\nscreenshot of the fleet page: {shot}")
