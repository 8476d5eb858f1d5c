"""docker/grafana: the loan journey's dashboard, provisioned with the stack's Prometheus as
its data source, behind a login whose password is a secret's file, reading only metrics the
stack's processes serve. A real Prometheus evaluates every query of the dashboard against
real processes in tests/e2e/test_prometheus_alerts.py."""

from __future__ import annotations

from pathlib import Path

import yaml
from deploy_files import (
    DASHBOARD,
    GRAFANA,
    ROOT,
    dashboard_panels,
    dashboard_queries,
    environment,
    metrics_read,
    served_names,
    services,
)
from prometheus_client import REGISTRY

from activities import health, metrics  # noqa: F401 - registers the journey's metrics
from starter import notifier_metrics


def _provisioned(kind: str) -> dict:
    (path,) = (GRAFANA / "provisioning" / kind).glob("*.yml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _mounts(service: dict) -> dict[str, Path]:
    """Each bind mount's target in the container, to its folder in the repository."""
    binds = [v.split(":") for v in service["volumes"] if v.startswith("./")]
    return {target: (ROOT / source).resolve() for source, target, *_ in binds}


def test_grafana_loads_the_dashboard_from_where_the_stack_mounts_it() -> None:
    grafana = services()["grafana"]
    mounts = _mounts(grafana)
    assert mounts["/etc/grafana/provisioning"] == GRAFANA / "provisioning"
    (provider,) = _provisioned("dashboards")["providers"]
    assert mounts[provider["options"]["path"]] == DASHBOARD.parent
    assert (provider["disableDeletion"], provider["allowUiUpdates"]) == (True, False)
    home = Path(environment(grafana)["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])
    assert mounts[str(home.parent)] / home.name == DASHBOARD


def test_every_panel_reads_the_stacks_prometheus() -> None:
    (source,) = _provisioned("datasources")["datasources"]
    assert (source["type"], source["url"]) == ("prometheus", "http://prometheus:9090")
    assert "9090" in services()["prometheus"]["ports"][0]
    panels = dashboard_panels()
    assert len({p["id"] for p in panels}) == len(panels) and len(panels) >= 12
    for panel in panels:
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
        assert panel["targets"], panel["title"]
        assert all(t["datasource"]["uid"] == source["uid"] for t in panel["targets"])
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, panel["title"]


def test_every_metric_the_dashboard_reads_is_one_the_stack_serves() -> None:
    """The journey's and the notifier's from their registries; the SDK's, which need a running
    worker, are those the alerts read, which a real Prometheus scrapes in
    tests/e2e/test_prometheus_alerts.py."""
    served = served_names(REGISTRY) | served_names(notifier_metrics.REGISTRY) | {"up"}
    sdk = {name for name in metrics_read() if name.startswith("temporal_")}
    for title, expr, names in dashboard_queries():
        assert names, (title, expr)
        assert names <= served | sdk, (title, names - served - sdk)
    read = set().union(*(names for _, _, names in dashboard_queries()))
    # what operations look at first: where journeys go, SLA breaches, OCR, the workers
    assert {"journey_stage_transitions_total", "journey_sla_events_total", "ocr_seconds_bucket",
            "ocr_failures_total", "journey_dependency_up", "notices_pending"} <= read


def test_grafana_asks_for_its_login_and_the_password_is_a_secrets_file() -> None:
    grafana = services()["grafana"]
    env = environment(grafana)
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false" and env["GF_USERS_ALLOW_SIGN_UP"] == "false"
    assert env["GF_SECURITY_ADMIN_PASSWORD__FILE"] == "/run/secrets/grafana_admin_password"
    assert "GF_SECURITY_ADMIN_PASSWORD" not in env and grafana["secrets"] == [
        "grafana_admin_password"]
    assert env["GF_ANALYTICS_REPORTING_ENABLED"] == "false"  # nothing sent out of the bank
