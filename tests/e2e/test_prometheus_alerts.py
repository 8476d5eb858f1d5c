"""A real Prometheus (Debian's) with docker/prometheus's configuration and alerts, scraping
real workers on the dev server:
- a worker and then a reader process: no reader raises NoDocumentReader, a reader that
  starts clears it, every rule evaluates without error, and every SDK and OCR metric the
  alerts read is really scraped;
- a worker process whose Temporal server stops raises WorkersCannotReachTemporal (from its
  own check of its dependencies);
- a worker whose journeys no longer replay and whose activities keep failing raises
  JourneysNoLongerReplay and ActivitiesKeepFailing.

The only change to the configuration: the compose service names that DNS finds in the stack
(`dns_sd_configs`) become fixed local targets that carry the same name, so the relabelling
that tells workers from readers runs as it does in the stack; and the alerts under test
fire as soon as their condition holds, not after the minutes they wait in the stack."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import yaml
from sqlalchemy import update
from sqlalchemy.orm import Session
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.metrics import JOURNEY_METRICS_PORT_OFFSET
from journey.settings import Settings
from journey.stages import Stage
from starter.embedded import embedded_server
from store.db import ready
from store.models import OutboxRow
from store.outbox import enqueue
from tests.deploy.deploy_files import (
    ALERT_RULES,
    PROCESSES,
    PROMETHEUS_CONFIG,
    dashboard_queries,
    find_tool,
    metrics_read,
    require,
)
from tests.e2e.conftest import SAMPLES
from tests.e2e.processes import eventually, polling, start_sample, worker_process
from tests.e2e.test_journey_on_dev_server import until
from tests.ports import free_port, free_port_pair

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
SDK_JOB = "temporal-sdk"  # its port is the worker's metrics port; the other job's the next
NOTIFIER_JOB = "notifier"  # the notifier's port, LOAN_JOURNEY_NOTIFIER_METRICS_PORT
OWN_PORT_JOBS = {SDK_JOB, NOTIFIER_JOB}
# Counted from the first failure: the tests of the failure alerts show them.
ONLY_ON_FAILURE = {
    "temporal_long_request_failure",
    "temporal_workflow_task_execution_failed",
    "temporal_activity_execution_failed",
}


def local_config(ports: dict[str, int], path: Path, rules: Path = ALERT_RULES) -> Path:
    """docker/prometheus/prometheus.yml with each service found at 127.0.0.1:`ports[name]`
    (and the next port for the journey's job), scraped and evaluated every second; a job's
    service missing from `ports` is not scraped."""
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(rules)]
    config.pop("alerting")  # the stack's Alertmanager: its name resolves only in the stack
    for job in config["scrape_configs"]:
        (found,) = job.pop("dns_sd_configs")
        offset = 0 if job["job_name"] in OWN_PORT_JOBS else JOURNEY_METRICS_PORT_OFFSET
        job["static_configs"] = [
            {"targets": [f"127.0.0.1:{ports[name] + offset}"], "labels": {"__meta_dns_name": name}}
            for name in found["names"] if name in ports  # a service a test runs none of: none
        ]
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@contextmanager
def prometheus(config: Path, data: Path, port: int) -> Iterator[str]:
    binary = find_tool("prometheus")
    require(binary is not None, "prometheus not found: apt-get install prometheus")
    assert binary is not None
    with (data / "prometheus.log").open("wb") as log:
        proc = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={data / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def alert_names() -> list[str]:
    groups = yaml.safe_load(ALERT_RULES.read_text(encoding="utf-8"))["groups"]
    return [rule["alert"] for group in groups for rule in group["rules"]]


def at_once(alerts: set[str], path: Path) -> Path:
    """docker/prometheus/alerts.yml with `alerts` firing as soon as their conditions hold (the
    minutes they wait are tests/deploy/alerts_test.yml's to check)."""
    groups = yaml.safe_load(ALERT_RULES.read_text(encoding="utf-8"))
    rules = [r for g in groups["groups"] for r in g["rules"] if r["alert"] in alerts]
    assert {r["alert"] for r in rules} == alerts
    for rule in rules:
        rule["for"] = "0s"
    path.write_text(yaml.safe_dump(groups), encoding="utf-8")
    return path


def metrics(port: int) -> dict[str, str]:
    return {"LOAN_JOURNEY_METRICS_PORT": str(port)}


class Starting(Exception):
    """Prometheus answered 503: listening, not ready yet (its storage still opening)."""


async def api(base: str, path: str, **params: str) -> Any:
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{base}/{path}", params=params, timeout=5)
    if answer.status_code == 503:
        raise Starting(answer.text)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


async def seen(what: str, check: Callable[[], Awaitable[T]]) -> T:
    """`eventually`, asking Prometheus, which may still be starting (not listening yet, or
    answering 503), twice a second."""
    return await eventually(what, check, every=0.5, tolerate=(httpx.TransportError, Starting))


async def alerts(base: str) -> dict[str, str]:
    return {a["labels"]["alertname"]: a["state"] for a in (await api(base, "alerts"))["alerts"]}


async def firing(base: str) -> dict[str, dict[str, Any]]:
    """The firing alerts by name."""
    found = (await api(base, "alerts"))["alerts"]
    return {a["labels"]["alertname"]: a for a in found if a["state"] == "firing"}


async def up(base: str, service: str) -> set[str]:
    """The jobs whose scrape of `service` succeeded."""
    result = (await api(base, "query", query=f'up{{service="{service}"}} == 1'))["result"]
    return {r["metric"]["job"] for r in result}


async def dashboard_shows(base: str, reads: Callable[[set[str]], bool]) -> bool:
    """Whether every query of the Grafana dashboard (docker/grafana) evaluates (an error fails
    the test: `api`), and those whose metrics all pass `reads` show figures."""
    for _, expr, names in dashboard_queries():
        shown = (await api(base, "query", query=expr))["result"]
        if reads(names) and not shown:
            return False
    return True


async def test_no_reader_raises_its_alert_and_a_reader_clears_it(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    settings = e2e_settings.model_copy(update={"task_queue": f"alerts-{uuid.uuid4()}"})
    ports = {name: free_port_pair(JOURNEY_METRICS_PORT_OFFSET) for name in PROCESSES}
    scans = [SAMPLES / "demo" / name for name in (
        "company3_business_license.jpg", "company3_balance_sheet.jpg",
        "corrupt_truncated.jpg",  # an unreadable upload, in a file short of its income statement
    )]
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    jobs = {job["job_name"] for job in config["scrape_configs"]
            if set(PROCESSES) <= set(job["dns_sd_configs"][0]["names"])}  # not the notifier's

    async def scraped(service: str) -> bool:
        return await up(base, service) == jobs

    async def raised() -> dict[str, str] | None:
        """The alerts once the worker's is gone (it is raised until the first scrape is
        evaluated) and the reader's is there."""
        now = await alerts(base)
        return now if "NoDocumentReader" in now and "NoJourneyWorker" not in now else None

    async def cleared() -> bool:
        return "NoDocumentReader" not in await alerts(base)

    async def all_scraped() -> bool:
        """Whether every SDK and OCR metric the alerts read is in Prometheus (the reads' last
        figures may still be a scrape away)."""
        names = [n for n in metrics_read() if n.startswith(("temporal_", "ocr_"))
                 and n not in ONLY_ON_FAILURE]
        return all([(await api(base, "query", query=f"count({n})"))["result"] for n in names])

    with (
        prometheus(local_config(ports, tmp_path / "prometheus.yml"), tmp_path, free_port())
        as base,
        worker_process(settings, "journeys", tmp_path / "worker.log", metrics(ports["worker"]))
        as worker,
    ):
        await polling(worker, tmp_path / "worker.log")
        journey = await start_sample(settings, "demo-003.json", scans, tmp_path)
        handle = dev_server.client.get_workflow_handle(journey)
        try:
            await seen("the worker is scraped", lambda: scraped("worker"))
            firing = await seen("NoDocumentReader raised, NoJourneyWorker not", raised)
            assert firing["NoDocumentReader"] in ("pending", "firing")
            with worker_process(
                settings, "documents", tmp_path / "reader.log", metrics(ports["reader"])
            ) as reader:
                await polling(reader, tmp_path / "reader.log")
                # the file is short: the journey waits at completeness, asking for the
                # statement and the unreadable upload
                await until(dev_server.client, journey, Stage.COMPLETENESS)
                await seen("the reader is scraped", lambda: scraped("reader"))
                await seen("NoDocumentReader cleared", cleared)
                await seen("every SDK and OCR metric the alerts read is scraped", all_scraped)
                # the dashboard's figures, but the notifier's and the SDK's failures' (none)
                await seen("the dashboard shows the worker's and the reader's figures",
                           lambda: dashboard_shows(base, lambda names: not any(
                               n.startswith("notices_") or n in ONLY_ON_FAILURE for n in names)))
                rules = [rule for group in (await api(base, "rules"))["groups"]
                         for rule in group["rules"]]
                assert sorted(r["name"] for r in rules) == sorted(alert_names())
                assert {(r["name"], r["health"], r.get("lastError", "")) for r in rules} == {
                    (r["name"], "ok", "") for r in rules
                }
        finally:
            await handle.terminate("test finished")


async def test_a_worker_that_cannot_reach_temporal_raises_its_alert(tmp_path: Path) -> None:
    """A real worker whose Temporal server (a dev server of this test's own) stops: its own
    check (journey_dependency_up) raises WorkersCannotReachTemporal, while NoJourneyWorker
    and JourneyDatabaseUnreachable stay quiet, as the worker and its database are up; its
    failed polls, counted by the SDK, raise WorkerPollsFailing for the queue they poll (which
    Alertmanager holds back while the first fires: docker/alertmanager)."""
    settings = Settings(
        data_dir=tmp_path / "data", temporal_address=f"127.0.0.1:{free_port()}",
        ui_port=free_port(), task_queue=f"unreachable-{uuid.uuid4()}",
    )
    ports = {name: free_port_pair(JOURNEY_METRICS_PORT_OFFSET) for name in PROCESSES}
    rules = at_once({"WorkersCannotReachTemporal", "WorkerPollsFailing"},
                    tmp_path / "alerts.yml")

    async def cut_off() -> dict[str, Any] | None:
        return (await firing(base)).get("WorkersCannotReachTemporal")

    async def polls_fail() -> dict[str, Any] | None:
        return (await firing(base)).get("WorkerPollsFailing")

    async with AsyncExitStack() as server:
        await server.enter_async_context(embedded_server(settings))
        with (
            prometheus(local_config(ports, tmp_path / "prometheus.yml", rules), tmp_path,
                       free_port()) as base,
            worker_process(settings, "journeys", tmp_path / "worker.log",
                           metrics(ports["worker"])) as worker,
        ):
            await polling(worker, tmp_path / "worker.log")
            await seen("the worker is scraped", lambda: up(base, "worker"))
            assert "WorkersCannotReachTemporal" not in await alerts(base)
            await server.aclose()  # Temporal stops; the worker runs on
            alert = await seen("WorkersCannotReachTemporal fires", cut_off)
            assert {k: alert["labels"][k] for k in ("service", "dependency", "severity")} == {
                "service": "worker", "dependency": "temporal", "severity": "critical"}
            assert alert["labels"]["instance"].endswith(
                f":{ports['worker'] + JOURNEY_METRICS_PORT_OFFSET}")
            assert "cannot reach Temporal" in alert["annotations"]["summary"]
            now = await alerts(base)
            assert "NoJourneyWorker" not in now and "JourneyDatabaseUnreachable" not in now
            polls = await seen("WorkerPollsFailing fires", polls_fail)
            assert polls["labels"]["service"] == "worker"
            assert polls["labels"]["task_queue"].startswith(settings.task_queue)
            assert polls["labels"]["status_code"], polls["labels"]
            assert polls["labels"]["instance"].endswith(f":{ports['worker']}")


@activity.defn
async def store_unreachable() -> None:
    raise RuntimeError("the journey database cannot be reached")


_OLD_IMAGE_RAN: set[str] = set()  # the workflow ids whose first task the "old image" ran


@workflow.defn(sandboxed=False)
class NoLongerReplays:
    """A journey whose code changed under its history: its first task (the old image) started
    a timer; every later task (the new image) replays it with an activity in its place."""

    @workflow.run
    async def run(self) -> None:
        if (wid := workflow.info().workflow_id) not in _OLD_IMAGE_RAN:
            _OLD_IMAGE_RAN.add(wid)
            await workflow.sleep(timedelta(milliseconds=100))
        await workflow.execute_activity(store_unreachable, start_to_close_timeout=timedelta(1))


@workflow.defn(sandboxed=False)
class WritesToAStoreThatIsDown:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(
            store_unreachable, start_to_close_timeout=timedelta(seconds=5),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=0.2), backoff_coefficient=1
            ),
        )


async def test_journeys_that_no_longer_replay_and_failing_activities_raise_alerts(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    """JourneysNoLongerReplay and ActivitiesKeepFailing read the SDK's failure counters as a
    real worker exports them: workflows whose code no longer replays their histories (a bad
    deploy; the worker keeps no run in memory, so each task replays) and an activity that
    fails every attempt (a store that is down), on the dev server, scraped by a real
    Prometheus as the stack's `worker` service."""
    ports = {name: free_port_pair(JOURNEY_METRICS_PORT_OFFSET) for name in PROCESSES}
    rules = at_once({"JourneysNoLongerReplay", "ActivitiesKeepFailing"}, tmp_path / "alerts.yml")
    metrics = PrometheusConfig(bind_address=f"127.0.0.1:{ports['worker']}")
    client = await Client.connect(
        dev_server.client.service_client.config.target_host,
        runtime=Runtime(telemetry=TelemetryConfig(metrics=metrics)),
    )
    queue = f"failing-{uuid.uuid4()}"

    async def both() -> dict[str, dict[str, Any]] | None:
        now = await firing(base)
        return now if {"JourneysNoLongerReplay", "ActivitiesKeepFailing"} <= set(now) else None

    with prometheus(local_config(ports, tmp_path / "prometheus.yml", rules), tmp_path,
                    free_port()) as base:
        async with Worker(
            client, task_queue=queue, workflows=[NoLongerReplays, WritesToAStoreThatIsDown],
            activities=[store_unreachable], max_cached_workflows=0,
        ):
            handles = [
                await client.start_workflow(kind.run, id=f"{queue}-{kind.__name__}-{n}",
                                            task_queue=queue)
                for kind in (NoLongerReplays, WritesToAStoreThatIsDown) for n in range(4)
            ]
            try:
                alerts_now = await seen("both alerts fire", both)
            finally:
                for handle in handles:
                    await handle.terminate("test finished")
    tasks, activities = alerts_now["JourneysNoLongerReplay"], alerts_now["ActivitiesKeepFailing"]
    assert {k: tasks["labels"][k] for k in ("service", "workflow_type")} == {
        "service": "worker", "workflow_type": "NoLongerReplays"}
    assert {k: activities["labels"][k] for k in ("service", "activity_type")} == {
        "service": "worker", "activity_type": "store_unreachable"}


async def test_a_notice_held_too_long_then_a_stopped_notifier_raise_their_alerts(
    tmp_path: Path,
) -> None:
    """A real notifier (`notices send --follow`) whose outbox holds a notice it cannot send (a
    staff member of the packaged policy without a mobile), queued an hour ago: its age, as
    Prometheus scrapes it from the notifier, raises NoticesNotSent while NotifierDown stays
    quiet; stopped (SIGTERM, `docker stop`), the notifier raises NotifierDown."""
    url = f"sqlite:///{tmp_path / 'journey.db'}"
    enqueue(url, "loan-X:sla:1", "loan-X", "sms", "ops-wang", "sla_remind", "overdue")
    with Session(ready(url)) as s, s.begin():  # queued an hour ago
        s.execute(update(OutboxRow).values(created_at=datetime.now(UTC) - timedelta(hours=1)))
    port = free_port()
    rules = at_once({"NoticesNotSent", "NotifierDown"}, tmp_path / "alerts.yml")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOAN_JOURNEY_DATA_DIR": str(tmp_path),
           "LOAN_JOURNEY_SMS_WEBHOOK_URL": "http://127.0.0.1:9/v1/sms",  # never reached
           "LOAN_JOURNEY_NOTIFIER_METRICS_PORT": str(port)}

    async def held_too_long() -> dict[str, Any] | None:
        """NoticesNotSent, once NotifierDown (raised until the first scrape is evaluated) is
        gone."""
        now = await firing(base)
        return now.get("NoticesNotSent") if "NotifierDown" not in now else None

    async def down() -> dict[str, Any] | None:
        return (await firing(base)).get("NotifierDown")

    with prometheus(local_config({"notifier": port}, tmp_path / "prometheus.yml", rules),
                    tmp_path, free_port()) as base:
        notifier = subprocess.Popen(
            [sys.executable, "-m", "starter.cli", "notices", "send", "--follow", "--every", "1"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            alert = await seen("NoticesNotSent fires, NotifierDown not", held_too_long)
            assert {k: alert["labels"].get(k) for k in ("severity", "alertname")} == {
                "severity": "warning", "alertname": "NoticesNotSent"}
            assert alert["annotations"]["description"].startswith(
                "The oldest notice not sent yet was queued 1h ")
            assert "`docker compose logs --tail 100 notifier`" in alert["annotations"]["runbook"]
            await seen("the dashboard shows the notices pending and held", lambda: dashboard_shows(
                base, lambda names: names in ({"notices_pending"}, {"notices_held_total"})))
        finally:
            notifier.send_signal(signal.SIGTERM)
            output, _ = notifier.communicate(timeout=60)
        assert notifier.returncode == 0, output
        assert "no mobile for 'ops-wang'" in output
        stopped = await seen("NotifierDown fires", down)
        assert stopped["labels"]["severity"] == "critical"
