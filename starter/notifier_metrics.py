"""Prometheus metrics of the notifier (`loan-journey notices send --follow`), so that
operators see notices piling up: a gateway down, a customer without a contact, a staff member
without an address. Served on `LOAN_JOURNEY_NOTIFIER_METRICS_PORT` by the worker's own server
(activities/metrics.py `start_journey_metrics_server`), from a registry of the notifier's:
none of the worker's series, which would be zeros here.

- `notices_sent_total{channel}`: notices delivered and marked sent;
- `notices_held_total{channel,reason}`: a notice left pending by a pass, once per pass that
  held it (a notice held for an hour counts every minute), `reason` a word:
  `no_address` (the customer gave no contact, or a staff member has none for the channel),
  `gateway_refused` (the mail server or the SMS gateway refused or could not be reached),
  `no_gateway` (none configured for the channel), `other`;
- `notices_pending` and `notices_oldest_pending_age_seconds`: the outbox as the last pass left
  it, read from it after each pass; the age counts from when that notice was queued to now,
  so that it grows at each scrape even when passes stop (0 with nothing pending). The alert
  `NoticesNotSent` reads it (docker/prometheus/alerts.yml).

Every channel and reason is served at 0 from the start: `increase()` over a series born at 1
is 0.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from typing import Literal, get_args
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

from activities.health import Readiness
from activities.metrics import start_journey_metrics_server
from store.outbox import Dispatched, OutboxChannel

disable_created_metrics()  # as the worker's (activities/metrics.py says why)

HeldKind = Literal["no_address", "gateway_refused", "no_gateway", "other"]
"""Why a notice was held, in a word: the label the metrics count it by."""
HELD_KINDS: tuple[HeldKind, ...] = get_args(HeldKind)
CHANNELS: tuple[OutboxChannel, ...] = get_args(OutboxChannel)

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # process_start_time_seconds: a restart shows
PlatformCollector(registry=REGISTRY)

SENT = Counter("notices_sent", "Notices delivered and marked sent, by channel.", ["channel"],
               registry=REGISTRY)
HELD = Counter("notices_held",
               "Notices a pass left pending, by channel and why (once per pass that held it).",
               ["channel", "reason"], registry=REGISTRY)
PENDING = Gauge("notices_pending", "Notices not sent yet, as the last pass left the outbox.",
                registry=REGISTRY)
OLDEST_AGE = Gauge("notices_oldest_pending_age_seconds",
                   "Seconds since the oldest notice not sent yet was queued (0: none pending).",
                   registry=REGISTRY)

READINESS = Readiness()
_oldest: datetime | None = None
for _channel in CHANNELS:
    SENT.labels(channel=_channel)
    for _kind in HELD_KINDS:
        HELD.labels(channel=_channel, reason=_kind)


def _age() -> float:
    return 0.0 if _oldest is None else max(0.0, time.time() - _oldest.timestamp())


OLDEST_AGE.set_function(_age)


def observe_pass(done: Dispatched, kinds: Mapping[int, HeldKind], pending: int,
                 oldest: datetime | None) -> None:
    """Counts one pass's sent and held notices (each held one by its kind in `kinds`, by its
    id; `other` when not named), and the outbox it left: `pending` notices, the oldest queued
    at `oldest`."""
    global _oldest
    for message in done.sent:
        SENT.labels(channel=message.channel).inc()
    for message, _why in done.held:
        HELD.labels(channel=message.channel, reason=kinds.get(message.id, "other")).inc()
    PENDING.set(pending)
    _oldest = oldest
    READINESS.report({})  # the outbox read, the pass done: no dependency of its own to name


def start_notifier_metrics(port: int, host: str) -> WSGIServer:
    """The notifier's endpoint on `host:port`: /metrics, /healthz, and /ready, which answers
    200 once a pass has gone through the outbox (503 "starting" before)."""
    return start_journey_metrics_server(port, host, REGISTRY, READINESS)
