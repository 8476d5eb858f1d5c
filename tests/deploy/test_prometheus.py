"""docker/prometheus: a configuration Prometheus's own promtool accepts, alerts that fire when
they should (promtool's rule tests, tests/deploy/alerts_test.yml), scrape jobs that find every
worker and reader replica on the ports they serve, and alerts that read only metrics the
worker serves. A real Prometheus evaluates them against real processes in
tests/e2e/test_prometheus_alerts.py."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml
from deploy_files import (
    ALERT_RULES,
    ALERTMANAGER_CONFIG,
    PROCESSES,
    PROMETHEUS_CONFIG,
    ROOT,
    environment,
    find_tool,
    metrics_read,
    require,
    served_names,
    services,
)
from prometheus_client import REGISTRY

from activities import health, metrics  # noqa: F401 - registers the journey's metrics
from activities.metrics import JOURNEY_METRICS_PORT_OFFSET
from ocr.errors import reasons
from starter import notifier_metrics

RULE_TESTS = Path(__file__).with_name("alerts_test.yml")


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = find_tool("promtool")
    require(tool is not None, "promtool not found: apt-get install prometheus")
    assert tool is not None
    return subprocess.run([tool, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_promtool_accepts_the_configuration_and_its_rules() -> None:
    checked = promtool("check", "config", str(PROMETHEUS_CONFIG))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 rule files found" in checked.stdout
    rules = promtool("check", "rules", str(ALERT_RULES))
    assert rules.returncode == 0 and "SUCCESS: 18 rules found" in rules.stdout, rules.stdout


def test_alerts_go_to_the_stacks_alertmanager_whose_receivers_are_placeholders() -> None:
    """Prometheus without `alerting:` showed its alerts to no one. The stack's Alertmanager
    has a configuration amtool accepts, mounted where its command reads it; its receivers are
    placeholders (`.invalid`, which never resolves) that the bank replaces."""
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    (managers,) = config["alerting"]["alertmanagers"]
    (static,) = managers["static_configs"]
    svc = services()
    assert static["targets"] == ["alertmanager:9093"] and "alertmanager" in svc
    manager = svc["alertmanager"]
    mounts = dict(reversed(v.split(":")[:2]) for v in manager["volumes"])
    flag = next(a for a in manager["command"] if a.startswith("--config.file="))
    file = Path(flag.removeprefix("--config.file="))
    assert ROOT / mounts[str(file.parent)] / file.name == ALERTMANAGER_CONFIG
    assert manager["ports"] == ["127.0.0.1:9093:9093"]  # this host only
    tool = find_tool("amtool")
    require(tool is not None, "amtool not found: apt-get install prometheus-alertmanager")
    assert tool is not None
    checked = subprocess.run([tool, "check-config", str(ALERTMANAGER_CONFIG)], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    routes = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    urls = [hook["url"] for receiver in routes["receivers"]
            for hook in receiver.get("webhook_configs", [])]
    assert urls and all(".invalid/" in url for url in urls), urls
    (watchdog,) = routes["route"]["routes"]  # the dead man's switch, not the on-call
    assert watchdog["matchers"] == ['alertname="Watchdog"']
    assert watchdog["receiver"] != routes["route"]["receiver"]


def test_the_alerts_that_page_for_an_outage_say_what_to_do() -> None:
    rules = {rule["alert"]: rule for group in yaml.safe_load(ALERT_RULES.read_text())["groups"]
             for rule in group["rules"]}
    paging = {"NoJourneyWorker", "NoDocumentReader", "JourneyReplicaDown",
              "WorkersCannotReachTemporal", "JourneyDatabaseUnreachable", "Watchdog",
              "NotifierDown", "NoticesNotSent"}
    for name in paging:
        assert rules[name]["annotations"]["runbook"].strip(), name
    assert rules["JourneyDatabaseUnreachable"]["labels"]["severity"] == "critical"
    assert rules["JourneyDatabaseUnreachable"]["for"] == "2m"
    assert rules["Watchdog"]["labels"]["severity"] == "none"


def test_each_alert_fires_when_it_should_and_not_otherwise() -> None:
    tested = promtool("test", "rules", str(RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    alerts = {rule["alert"] for group in yaml.safe_load(ALERT_RULES.read_text())["groups"]
              for rule in group["rules"]}
    cases = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    fired = {test["alertname"] for case in cases for test in case["alert_rule_test"]
             if test["exp_alerts"]}
    assert fired == alerts  # every alert is shown firing at least once


def test_the_scrape_jobs_find_every_process_on_the_ports_it_serves() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    svc = services()
    port = int(environment(svc["worker"])["LOAN_JOURNEY_METRICS_PORT"])
    for name in PROCESSES:
        assert environment(svc[name])["LOAN_JOURNEY_METRICS_PORT"] == str(port), name
        assert {str(p) for p in svc[name]["expose"]} == {str(port),
                                                         str(port + JOURNEY_METRICS_PORT_OFFSET)}
    notifier = svc["notifier"]
    notifier_port = int(environment(notifier)["LOAN_JOURNEY_NOTIFIER_METRICS_PORT"])
    assert [str(p) for p in notifier["expose"]] == [str(notifier_port)]
    assert environment(notifier)["LOAN_JOURNEY_METRICS_HOST"] == "0.0.0.0"  # its host too
    served = {"temporal-sdk": port, "loan-journey": port + JOURNEY_METRICS_PORT_OFFSET,
              "notifier": notifier_port}
    names = {"temporal-sdk": sorted(PROCESSES), "loan-journey": sorted(PROCESSES),
             "notifier": ["notifier"]}
    assert set(jobs) == set(served)
    for name, job in jobs.items():
        (sd,) = job["dns_sd_configs"]
        assert sorted(sd["names"]) == names[name] and sd["port"] == served[name], name
        # the alerts tell workers from readers by the compose service's name
        (relabel,) = job["relabel_configs"]
        assert relabel["source_labels"] == ["__meta_dns_name"], name
        assert relabel["target_label"] == "service", name


def test_prometheus_runs_in_the_stack_with_this_configuration() -> None:
    prometheus = services()["prometheus"]
    mounts = dict(reversed(v.split(":")[:2]) for v in prometheus["volumes"])
    config_flag = next(a for a in prometheus["command"] if a.startswith("--config.file="))
    folder = Path(config_flag.removeprefix("--config.file=")).parent
    assert ROOT / mounts[str(folder)] == PROMETHEUS_CONFIG.parent
    assert prometheus["ports"] == ["127.0.0.1:9090:9090"]  # like the UI: this host only


def test_every_journey_metric_an_alert_reads_is_one_the_worker_serves() -> None:
    """The SDK's and the OCR's, which need a running worker and reader, are checked where a
    real Prometheus scrapes them (tests/e2e/test_prometheus_alerts.py)."""
    served = served_names(REGISTRY)
    ours = {name for name in metrics_read()
            if not name.startswith(("temporal_", "notices_")) and name != "up"}
    assert ours == {
        "journey_sla_events_total", "ocr_failures_total", "ocr_seconds_count",
        "journey_history_archive_last_pass_timestamp_seconds", "journey_histories_lost_total",
        "journey_dependency_up", "process_start_time_seconds",
    }
    assert ours <= served, ours - served


def test_every_notifier_metric_an_alert_reads_is_one_the_notifier_serves() -> None:
    """The notifier serves its own registry (starter/notifier_metrics.py), not the worker's."""
    served = served_names(notifier_metrics.REGISTRY)
    read = {name for name in metrics_read() if name.startswith("notices_")}
    assert read == {"notices_oldest_pending_age_seconds"}
    assert read <= served, read - served


def test_the_ocr_reasons_an_alert_names_are_ones_the_reader_records() -> None:
    """A renamed reason code would silently change what OcrEngineFailing and
    ScansArriveUnreadable count. The OCR package's errors give every code the reader records
    (and the worker serves at 0 from its start)."""
    recorded = reasons()
    assert {"timeout", "engine_error", "wrong_kind", "truncated", "blank", "illegible"} <= recorded
    named = {
        reason
        for group in yaml.safe_load(ALERT_RULES.read_text())["groups"]
        for rule in group["rules"]
        for pattern in re.findall(r'reason\s*[!=]~\s*"([^"]+)"', rule["expr"])
        for reason in pattern.split("|")
    }
    assert named == {"timeout", "engine_error", "wrong_kind"}
    assert named <= recorded, named - recorded
