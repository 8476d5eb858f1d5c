"""Payload encryption: AES-GCM per payload, the key id in the payload's metadata.

Keys come from `Settings.codec_keys` ("kid1:base64key,kid2:base64key"). The first key
encrypts; every listed key decrypts, so a key is rotated by putting the new one first and
keeping the old ones until no history needs them. A payload that is not encrypted passes
through `decode` untouched, so histories written before encryption was switched on still read;
so that this lets no new plain update in, keyed workers take only updates that keyed clients
signed (starter/keyed_updates.py).

Search attributes are never encoded by a codec: keep personal data out of them.

Failures: with keys, a failure's message and stack trace are encrypted too (a workflow's or
an activity's failure may quote what it worked on), except a refusal's: a `DecisionRefused`
raised by an update's validator (or handler) is what the command line, a keyless one too,
shows the person refused and keeps in `loan-journey refusals`, which docs/command-line.md
promises in plain text. Refusal messages name rules, roles, stages, staff and company ids,
figures the rules compare (an amount above a limit) and document digests, never a person's
name, id number or what someone typed as free text: keep them so (journey/policy/errors.py). A
refusal's stack trace is dropped: it says nothing to the person refused.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
    PayloadConverter,
)

from activities.run_started import started_event
from journey import key_list
from journey.policy.errors import DecisionRefused
from journey.settings import Settings
from starter.errors import KeysNeeded

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
SETTING = "LOAN_JOURNEY_CODEC_KEYS"
_NONCE_BYTES = 12
_CHECK_LABEL = b"loan-journey key check value"
_MAC_KEY_LABEL = b"loan-journey keyed updates"


class CodecError(KeysNeeded):
    """A payload cannot be encrypted or decrypted; the message says what to set."""


def parse_keys(text: str) -> dict[str, bytes]:
    """Parse "kid1:base64key,kid2:base64key" into {kid: key}, keeping the order (first
    encrypts); CodecError saying what to fix."""
    try:
        return key_list.parse_keys(text, SETTING)
    except ValueError as err:
        raise CodecError(str(err)) from None


def check_value(key: bytes) -> str:
    """The key's check value (KCV), hex: the first 8 bytes of HMAC-SHA256(key, a fixed label).
    Two keys are the same key when their check values are; the value says nothing of the key
    itself (starter/encryption.py keeps it on the namespace, per key id)."""
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).digest()[:8].hex()


def new_key() -> str:
    """A fresh 256-bit key, base64, ready to put after "kid:" in the setting."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


class EncryptionCodec(PayloadCodec):
    """Encrypt every payload with the first key; decrypt with whichever key id it names."""

    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise CodecError(f"no encryption keys; set {SETTING}=kid1:base64key")
        self._ciphers = {kid: AESGCM(key) for kid, key in keys.items()}
        # a key of its own per key id for `mac`, derived from the key: none serves two uses
        self._mac_keys = {kid: hmac.digest(key, _MAC_KEY_LABEL, hashlib.sha256)
                          for kid, key in keys.items()}
        self.encrypting_key_id = next(iter(keys))
        self.check_values = {kid: check_value(key) for kid, key in keys.items()}

    @classmethod
    def from_settings(cls, settings: Settings) -> EncryptionCodec:
        if not settings.codec_keys:
            raise CodecError(f"no encryption keys; set {SETTING}=kid1:base64key")
        return cls(parse_keys(settings.codec_keys.get_secret_value()))

    @property
    def key_ids(self) -> list[str]:
        return list(self._ciphers)

    def mac(self, kid: str, message: bytes) -> bytes | None:
        """HMAC-SHA256 of `message` under key id `kid` (None: no such key id here); what a
        keyed client signs its updates with (starter/keyed_updates.py)."""
        key = self._mac_keys.get(kid)
        return None if key is None else hmac.digest(key, message, hashlib.sha256)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        kid = self.encrypting_key_id
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[kid].encrypt(nonce, payload.SerializeToString(), kid.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID_METADATA: kid.encode()},
            data=nonce + sealed,
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        kid = payload.metadata.get(KEY_ID_METADATA, b"").decode()
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise CodecError(
                f"payload was encrypted with key id {kid!r}, which is not configured "
                f"(known: {', '.join(self.key_ids)}); add '{kid}:<base64key>' to {SETTING} "
                "(after the current first key, so it only decrypts)"
            )
        data = payload.data
        try:
            plain = cipher.decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], kid.encode())
        except InvalidTag as err:
            raise CodecError(
                f"payload under key id {kid!r} failed authentication: the key configured for "
                f"{kid!r} in {SETTING} is not the one it was encrypted with, or the data was "
                "altered"
            ) from err
        return Payload.FromString(plain)


class RefusalsInPlainText(DefaultFailureConverterWithEncodedAttributes):
    """Failure texts encrypted, but for refusals (`DecisionRefused` with no cause): their
    message stays readable without keys, their stack trace is dropped (module docstring)."""

    def to_failure(
        self, exception: BaseException, payload_converter: PayloadConverter, failure: Failure
    ) -> None:
        if isinstance(exception, DecisionRefused) and exception.__cause__ is None:
            _PLAIN_FAILURES.to_failure(exception, payload_converter, failure)
            failure.stack_trace = ""
            return
        super().to_failure(exception, payload_converter, failure)


_PLAIN_FAILURES = DefaultFailureConverter()


def data_converter(settings: Settings) -> DataConverter:
    """The pydantic converter; with codec keys set, payloads and failure texts (but for
    refusals') are encrypted."""
    if not settings.codec_keys:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec.from_settings(settings),
        failure_converter_class=RefusalsInPlainText,
    )


def undecodable(err: Exception) -> bool:
    """The error of a client without keys reading an encrypted payload."""
    return isinstance(err, KeyError) and err.args == (
        f"Unknown payload encoding {ENCODING.decode()}",)


# journeys this process found plain: their runs' input stays as their client wrote it; and
# namespaces whose newest journey it found plain when it started one; each under its server
# too (a process, a test session, may reach two servers with a namespace of the same name)
_PLAIN: set[tuple[str, str, str]] = set()
_PLAIN_NAMESPACES: set[tuple[str, str]] = set()


def _namespace(client: Client) -> tuple[str, str]:
    return client.service_client.config.target_host, client.namespace


def started(client: Client, workflow_id: str) -> None:
    """This process started the journey, as plain as its client writes: nothing to ask."""
    if client.data_converter.payload_codec is None:
        _PLAIN.add((*_namespace(client), workflow_id))


async def keys_needed_to_start(client: Client, workflow_type: str, refused: str) -> None:
    """A client without keys starts no journey in plain JSON where the newest one's payloads
    are encrypted (its workers encrypt): `CodecError` starting with `refused`. One list and
    one history read per process; the first journey of a namespace has nothing to go by."""
    if client.data_converter.payload_codec is not None or _namespace(client) in _PLAIN_NAMESPACES:
        return
    async for newest in client.list_workflows(f"WorkflowType = '{workflow_type}'", limit=1):
        await keys_needed(client, newest.id, refused)
    _PLAIN_NAMESPACES.add(_namespace(client))


async def keys_needed(client: Client, workflow_id: str, refused: str) -> None:
    """A client without keys sends nothing to a journey whose payloads are encrypted (its
    run's input is, one history read): `CodecError` starting with `refused`. A journey not
    found is left to the call that follows to report."""
    key = (*_namespace(client), workflow_id)
    if client.data_converter.payload_codec is not None or key in _PLAIN:
        return
    if (started := await started_event(client, workflow_id)) is None:
        return
    if any(p.metadata.get("encoding") == ENCODING for p in started.input.payloads):
        raise CodecError(f"{refused}: {workflow_id}'s payloads are encrypted and {SETTING} is "
                         "not set here; set it as the workers have it")
    _PLAIN.add(key)  # a process that acts on it again (the demo, the bench) asks once
