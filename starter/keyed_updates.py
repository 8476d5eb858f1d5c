"""A keyed client signs every update it sends; a keyed worker takes no other (the reason, and
the worker's side: workflows/keyed_senders.py).

The signature, in the update's `HEADER` header (plain JSON, no customer data: header payloads
are not encoded by the codec): the id of the first codec key and the HMAC-SHA256, under a key
derived from it (`EncryptionCodec.mac`), of the workflow id, the update's name and the
update's id, which the client fixes before it signs when the caller gave none. A worker that
holds the key id named checks it; every listed key checks, so a rotation (the new key first,
the old ones after) goes on taking updates from clients not yet given the new key.

`client_interceptors` gives a client built on a keyed data converter its signer: every client
the project builds on one (starter/connect.py, the embedded server's, the tests') takes it. A
system that sends updates with its own SDK client and the keys adds `KeyedUpdates` to it.
"""

from __future__ import annotations

import hmac
import json
import uuid
from collections.abc import Mapping

from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Interceptor,
    OutboundInterceptor,
    StartWorkflowUpdateInput,
    StartWorkflowUpdateWithStartInput,
    WorkflowUpdateHandle,
)
from temporalio.converter import DataConverter, PayloadConverter

from starter.codec import EncryptionCodec
from workflows.keyed_senders import HEADER, KeyedSendersOnly

_JSON = PayloadConverter.default


def _signed(workflow_id: str, update: str, update_id: str) -> bytes:
    return json.dumps([workflow_id, update, update_id]).encode()


def signature(codec: EncryptionCodec, workflow_id: str, update: str, update_id: str) -> Payload:
    """The header payload of a keyed sender's update."""
    kid = codec.encrypting_key_id
    mac = codec.mac(kid, _signed(workflow_id, update, update_id))
    assert mac is not None  # the first key is always one of the codec's
    return _JSON.to_payload({"key_id": kid, "hmac": mac.hex()})


def signed_by_keys(codec: EncryptionCodec, workflow_id: str, update: str, update_id: str,
                   headers: Mapping[str, Payload]) -> bool:
    """Whether `headers` carry a signature of this update under one of `codec`'s keys."""
    payload = headers.get(HEADER)
    if payload is None:
        return False
    try:
        said = _JSON.from_payload(payload, dict)
        kid, mac = str(said["key_id"]), bytes.fromhex(str(said["hmac"]))
    except (ValueError, KeyError, TypeError, RuntimeError):  # not what a keyed client writes
        return False
    expected = codec.mac(kid, _signed(workflow_id, update, update_id))
    return expected is not None and hmac.compare_digest(expected, mac)


class KeyedUpdates(Interceptor):
    """Client interceptor: every update the client sends carries its signature."""

    def __init__(self, codec: EncryptionCodec) -> None:
        self.codec = codec

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Signing(next, self.codec)


class _Signing(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, codec: EncryptionCodec) -> None:
        super().__init__(next)
        self._codec = codec

    def _sign(self, workflow_id: str, update: str, update_id: str,
              headers: Mapping[str, Payload]) -> dict[str, Payload]:
        return {**headers, HEADER: signature(self._codec, workflow_id, update, update_id)}

    async def start_workflow_update(
        self, input: StartWorkflowUpdateInput
    ) -> WorkflowUpdateHandle:
        input.update_id = input.update_id or str(uuid.uuid4())
        input.headers = self._sign(input.id, input.update, input.update_id, input.headers)
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(
        self, input: StartWorkflowUpdateWithStartInput
    ) -> WorkflowUpdateHandle:
        update = input.update_workflow_input
        update.update_id = update.update_id or str(uuid.uuid4())
        update.headers = self._sign(input.start_workflow_input.id, update.update,
                                    update.update_id, update.headers)
        return await super().start_update_with_start_workflow(input)


def client_interceptors(converter: DataConverter) -> list[Interceptor]:
    """A client on `converter` signs its updates when the converter encrypts."""
    codec = converter.payload_codec
    return [KeyedUpdates(codec)] if isinstance(codec, EncryptionCodec) else []


def worker_interceptors(converter: DataConverter) -> list[KeyedSendersOnly]:
    """A worker on `converter` takes signed updates only when the converter encrypts."""
    codec = converter.payload_codec
    if not isinstance(codec, EncryptionCodec):
        return []

    def check(workflow_id: str, update: str, update_id: str,
              headers: Mapping[str, Payload]) -> bool:
        return signed_by_keys(codec, workflow_id, update, update_id, headers)

    return [KeyedSendersOnly(check)]
