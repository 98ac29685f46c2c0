"""The deploy files in example_project/deploy/ are valid for the tools that read them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from django_zerodowntime.conf import DEFAULTS
from tests.conftest import require_binary

DEPLOY = Path(__file__).resolve().parents[1] / "example_project" / "deploy"


def kubernetes_documents() -> dict[str, dict[str, Any]]:
    documents = yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text())
    return {doc["kind"]: doc for doc in documents if doc}


def web_container() -> tuple[dict[str, Any], dict[str, Any]]:
    pod = kubernetes_documents()["Deployment"]["spec"]["template"]["spec"]
    return pod, pod["containers"][0]


def test_kubernetes_probes_use_liveness_and_readiness_paths() -> None:
    _, container = web_container()
    assert container["readinessProbe"]["httpGet"]["path"] == DEFAULTS["HEALTH_PATH"]
    assert container["livenessProbe"]["httpGet"]["path"] == DEFAULTS["LIVENESS_PATH"]
    # The readiness answer is bounded by the deadline, which must fit the probe timeout.
    assert container["readinessProbe"]["timeoutSeconds"] > DEFAULTS["HEALTH_DEADLINE_SECONDS"]


def test_kubernetes_grace_period_covers_the_drain_and_gunicorns_graceful_timeout() -> None:
    pod, container = web_container()
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[:4] == ["python", "manage.py", "drain", "on"]
    drain_wait = float(pre_stop[pre_stop.index("--wait") + 1])
    env = {item["name"]: item.get("value") for item in container["env"]}
    graceful = float(env["GUNICORN_GRACEFUL_TIMEOUT"])
    assert pod["terminationGracePeriodSeconds"] > drain_wait + graceful
    assert kubernetes_documents()["Deployment"]["spec"]["strategy"]["rollingUpdate"] == {
        "maxUnavailable": 0,
        "maxSurge": 1,
    }


def test_kubernetes_migrations_run_through_safe_migrate_once() -> None:
    job = kubernetes_documents()["Job"]["spec"]
    command = job["template"]["spec"]["containers"][0]["command"]
    assert command[:3] == ["python", "manage.py", "safe_migrate"]
    assert job["backoffLimit"] == 0  # a refusal is an answer, not a flake to retry


@pytest.mark.parametrize("unit", ["gunicorn.service", "gunicorn@.service"])
def test_systemd_units_have_no_unknown_keys(unit: str, tmp_path: Path) -> None:
    analyze = require_binary("systemd-analyze")
    name = unit.replace("gunicorn", "zdt-example").replace("@.", "@blue.")
    shutil.copy(DEPLOY / unit, tmp_path / unit.replace("gunicorn", "zdt-example"))
    result = subprocess.run(
        [analyze, "verify", str(tmp_path / name)], capture_output=True, text=True, check=False
    )
    # The unit's paths (/srv/example/venv...) do not exist here; anything else is a mistake.
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "is not executable" not in line
    ]
    assert problems == []
    text = (DEPLOY / unit).read_text()
    assert re.search(r"^ExecReload=.* manage\.py graceful_reload ", text, re.MULTILINE)
    assert "PIDFile=" in text


@pytest.mark.parametrize("script", sorted(p.name for p in DEPLOY.glob("deploy-*.sh")))
def test_deploy_scripts_parse(script: str) -> None:
    result = subprocess.run(
        ["bash", "-n", str(DEPLOY / script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("script", sorted(p.name for p in DEPLOY.glob("deploy-*.sh")))
def test_deploy_scripts_control_services_only_through_systemctl_variable(script: str) -> None:
    """The tests run the scripts unchanged with SYSTEMCTL pointed elsewhere: a bare
    `systemctl` in a command would escape that, and the default must be what the
    docs show (`systemctl reload gunicorn@a`)."""
    text = (DEPLOY / script).read_text()
    commands = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert [line for line in commands if re.search(r"(?<![\w$-])systemctl ", line)] == []
    if "$SYSTEMCTL" in text:
        assert "SYSTEMCTL=${SYSTEMCTL:-systemctl}" in text
