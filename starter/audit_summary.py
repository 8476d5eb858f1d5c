"""One-line summaries of decoded payloads (plain JSON values) for the audit trail.

Works on dicts and lists, never on model classes, so a trail still reads after the models
change. Fields keep the payload's order (models put the evidence first: the document's
hash, kind and status; a decision's verdict and reason); OCR confidence collapses to its
minimum and validation problems to their field names; the actor goes to its own column.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

WIDTH = 240
_SCALAR = 80  # a value's characters in a summary cut to WIDTH
_ACTOR_KEYS = ("actor", "submitted_by", "decided_by")
_SKIP = frozenset(_ACTOR_KEYS) | {"filename", "size"}


def find_actor(value: Any) -> tuple[str, str] | None:
    """(id, role) of the actor a decoded input names, looked for under the usual keys, then
    one level down (a journey's input holds the application, which names its submitter)."""
    if not isinstance(value, dict):
        return None
    nested = [v for v in value.values() if isinstance(v, dict)]
    for holder in (value, *nested):
        for key in _ACTOR_KEYS:
            actor = holder.get(key)
            if isinstance(actor, dict) and actor.get("id"):
                return str(actor["id"]), str(actor.get("role") or "")
    return None


def summarise(value: Any, width: int | None = WIDTH) -> str:
    """`key=value, ...` over the leaves of `value`, cut to `width`, each value to
    `_SCALAR`; in full when `width` is None."""
    if isinstance(value, list) and value and all(_is_timing_event(v) for v in value):
        return _cut("; ".join(_timing_event(v) for v in value), width)
    if isinstance(value, dict) and _is_timing_batch(value):
        return _cut("; ".join(_timing_event(v) for v in value["events"]), width)
    cut = width is not None
    if not isinstance(value, dict | list):
        return _cut(_scalar(value, cut), width)
    pairs = list(dict.fromkeys(_pairs(value, cut)))  # in the payload's order, repeats dropped
    return _cut(", ".join(f"{k}={v}" for k, v in pairs), width)


def duration(delta: timedelta) -> str:
    """A timer's length the way people say it: 1d, 4h30m, 90s."""
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    if secs or not parts:
        parts.append(f"{secs}s")
    return "".join(parts)


def _pairs(value: Any, cut: bool, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in _SKIP or v in (None, "", [], {}):
                continue
            if k == "confidence" and isinstance(v, dict):
                numbers = [x for x in v.values() if isinstance(x, int | float)]
                if numbers:
                    yield "min_confidence", f"{min(numbers):.2f}"
            elif k == "problems" and isinstance(v, dict):
                yield "problems", "/".join(str(p) for p in v)
            else:
                yield from _pairs(v, cut, str(k))
    elif isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            yield key or "items", "/".join(_scalar(v, cut) for v in value)
        else:
            for item in value:
                yield from _pairs(item, cut, key)
    else:
        yield key or "value", _scalar(value, cut)


def _scalar(value: Any, cut: bool = True) -> str:
    text = str(value)
    return text if not cut or len(text) <= _SCALAR else text[: _SCALAR - 1] + "…"


def _cut(text: str, width: int | None) -> str:
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def _is_timing_batch(value: dict[str, Any]) -> bool:
    events = value.get("events")
    return isinstance(events, list) and bool(events) and all(_is_timing_event(e) for e in events)


def _is_timing_event(value: Any) -> bool:
    return isinstance(value, dict) and "type" in value and "stage" in value and "at" in value


def _timing_event(event: dict[str, Any]) -> str:
    text = f"{event['type']} {event['stage']}"
    extras = [str(event[k]) for k in ("team", "outcome", "detail") if event.get(k)]
    return f"{text} ({', '.join(extras)})" if extras else text
