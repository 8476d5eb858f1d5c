"""What `archive verify` calls the same as the server's copy: every event, field for field,
payloads as stored. An encrypted history is compared as ciphertext, without the keys."""

from __future__ import annotations

import asyncio

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

from starter import audit
from starter.archive_compare import differences
from starter.codec import ENCODING, EncryptionCodec, parse_keys


def archived(history: WorkflowHistory) -> list[HistoryEvent]:
    """The history as the archive keeps it (`history --json`) and reads it back."""
    return list(WorkflowHistory.from_json(history.workflow_id, audit.history_json(history)).events)


def copied(events: list[HistoryEvent]) -> list[HistoryEvent]:
    out = []
    for event in events:
        twin = HistoryEvent()
        twin.CopyFrom(event)
        out.append(twin)
    return out


def test_the_archived_copy_of_an_encrypted_history_is_the_same_without_any_key(
    recorded: WorkflowHistory,
) -> None:
    started = recorded.events[0].workflow_execution_started_event_attributes
    assert started.input.payloads[0].metadata["encoding"] == ENCODING  # ciphertext stored
    assert differences(archived(recorded), list(recorded.events)) == []


def test_a_changed_ciphertext_or_key_id_differs_naming_the_event_and_field(
    recorded: WorkflowHistory,
) -> None:
    kept = archived(recorded)
    flipped = copied(kept)
    payload = flipped[0].workflow_execution_started_event_attributes.input.payloads[0]
    payload.data = payload.data[:-1] + bytes([payload.data[-1] ^ 1])
    assert differences(flipped, list(recorded.events)) == [
        "event 1 WORKFLOW_EXECUTION_STARTED "
        "(workflowExecutionStartedEventAttributes.input.payloads[0].data)"]
    relabelled = copied(kept)
    payload = relabelled[0].workflow_execution_started_event_attributes.input.payloads[0]
    payload.metadata["encryption-key-id"] = b"k1"
    (said,) = differences(relabelled, list(recorded.events))
    assert "payloads[0].metadata.encryption-key-id" in said


def test_a_payload_encrypted_again_by_a_key_holder_is_not_the_servers_copy(
    recorded: WorkflowHistory, audit_keys: str,
) -> None:
    """The same plaintext under a new nonce: decoded, it would pass; as stored, it differs."""
    codec = EncryptionCodec(parse_keys(audit_keys))
    again = copied(archived(recorded))
    payloads = again[0].workflow_execution_started_event_attributes.input.payloads
    [plain] = asyncio.run(codec.decode([payloads[0]]))
    [sealed] = asyncio.run(codec.encode([plain]))
    assert asyncio.run(codec.decode([sealed])) == [plain]
    payloads[0].CopyFrom(sealed)
    assert len(differences(again, list(recorded.events))) == 1


def test_events_one_side_lacks_are_counted_and_many_differences_cut_short(
    recorded: WorkflowHistory,
) -> None:
    kept = archived(recorded)
    assert differences(kept[:-2], list(recorded.events)) == [
        f"the archive has {len(kept) - 2} events, the server {len(kept)}"]
    shifted = copied(kept)
    for event in shifted:
        event.event_time.seconds += 1
    said = differences(shifted, list(recorded.events))
    assert said[0] == "event 1 WORKFLOW_EXECUTION_STARTED (eventTime)"
    assert said[-1] == f"{len(kept) - 5} more event(s) differ" and len(said) == 6
