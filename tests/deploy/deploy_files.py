"""The deploy files as data: docker-compose.yml with its `${VAR:-default}`s resolved (a
required `${VAR:?message}`, which it has none of, from the tests' env file), and the metric
names the Prometheus alerts read."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
# the tests' .env: empty, the compose file requiring no variable (its secrets are files)
TEST_ENV_FILE = ROOT / "tests/deploy/compose.env"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PROMETHEUS_CONFIG = ROOT / "docker/prometheus/prometheus.yml"
ALERT_RULES = ROOT / "docker/prometheus/alerts.yml"
ALERTMANAGER_CONFIG = ROOT / "docker/alertmanager/alertmanager.yml"
GRAFANA = ROOT / "docker/grafana"
DASHBOARD = GRAFANA / "dashboards/loan-journey.json"
# The journey's processes in the stack, by their role (LOAN_JOURNEY_WORKER_ROLE): each scales
# on its own and serves metrics.
PROCESSES = {"worker": "journeys", "reader": "documents"}

# Debian's docker-compose (1.29) ships the compose specification's JSON schema
SCHEMA_CANDIDATES = (Path("/usr/lib/python3/dist-packages/compose/config/compose_spec.json"),)

_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def load_raw() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def env_file_values() -> dict[str, str]:
    lines = TEST_ENV_FILE.read_text(encoding="utf-8").splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {key: value for key, value in pairs}


def _resolve(match: re.Match[str]) -> str:
    if match[0] == "$$":
        return "$"
    if match[2] and match[2].endswith("?"):
        return env_file_values()[match[1]]  # required: a KeyError names one the env file lacks
    return match[3] or ""


def interpolate(value: Any) -> Any:
    """Resolves variables as compose does with only the tests' env file: their defaults, and
    the required ones from that file."""
    if isinstance(value, str):
        return _VARIABLE.sub(_resolve, value)
    if isinstance(value, dict):
        return {key: interpolate(item) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item) for item in value]
    return value


def services() -> dict[str, dict[str, Any]]:
    return interpolate(load_raw()["services"])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


_METRIC = re.compile(r"\b((?:temporal|journey|ocr|process|notices)_\w+|up)\s*[{\[)]")


def metrics_read() -> set[str]:
    """The names of the metrics the alerts read."""
    groups = yaml.safe_load(ALERT_RULES.read_text(encoding="utf-8"))["groups"]
    return {name for group in groups for rule in group["rules"]
            for name in _METRIC.findall(rule["expr"])}


def served_names(registry: CollectorRegistry) -> set[str]:
    """The metric names a process serving `registry` exposes, those not counted yet too."""
    families = list(registry.collect())
    served = {sample.name for family in families for sample in family.samples}
    served |= {f"{f.name}_total" for f in families if f.type == "counter"}  # none counted yet
    served |= {f"{f.name}_{end}" for f in families if f.type == "histogram"
               for end in ("bucket", "count", "sum")}
    # a labelled gauge has no sample until first set: the worker's check sets it
    return served | {f.name for f in families if f.type == "gauge"}


def dashboard_panels() -> list[dict[str, Any]]:
    """The dashboard's panels that show data (its rows left out)."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def dashboard_queries() -> list[tuple[str, str, set[str]]]:
    """Each query of the dashboard: its panel's title, its expression and the metrics it
    reads."""
    return [(panel["title"], target["expr"], set(_METRIC.findall(target["expr"])))
            for panel in dashboard_panels() for target in panel["targets"]]


def find_tool(name: str) -> str | None:
    """A tool on PATH or beside this interpreter (an unactivated virtualenv's bin)."""
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    return found if Path(found).exists() else None


def require(condition: bool, reason: str) -> None:
    """Skips on a developer's machine; fails on CI, where the set-up installs everything."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def clean_env() -> dict[str, str]:
    """The environment without compose variables a developer may have set."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {key: os.environ[key] for key in keep if key in os.environ}
