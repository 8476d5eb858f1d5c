"""Whether the deployment's journeys are encrypted: one fact kept by the Temporal namespace.

Why the namespace, and not a row in the journey database: the payloads to protect are
written to the namespace, and every client that writes (start, updates, schedule changes,
late touchpoints, workers, `up`, `demo`) talks to that namespace's server before it writes
anything. A database row is seen only by a client pointed at the same database: a keyless
laptop on its default SQLite file would find no row and write plain. The namespace
description's `data` map is read with one DescribeNamespace before a client's writes, again
once its answer is RECHECK old (a long-running client, the demo or a bench, sees a change
within it, without a call on every update), and set with UpdateNamespace (which merges keys), by
any client the cluster lets manage its namespace: the dev server, compose's cluster.
Nothing to migrate, and every namespace of a cluster says it for itself.

The fact, under `DATA_KEY`: `encrypted` (a keyless client writes nothing), `plain` (said by
operations: keyless clients write, the per-journey checks of starter/codec.py still
apply), or absent (nothing said yet: the first keyed client marks it `encrypted`). Turning
`encrypted` to `plain` is `loan-journey encryption plain`, a supervisor's command
(starter/encryption_declare.py); a refused attempt is kept for auditors
(store/refusals.py). Who set it, and when, is kept beside it (`BY_KEY`).

Beside it, per key id, the check value of the key its journeys are encrypted with
(`CHECK_KEY` + the id; starter/codec.py `check_value`: never the key, never enough to find it),
recorded by the first keyed client that uses the id. Every keyed client compares its keys'
check values with them before it polls, sends or reads anything (`keys_checked`): a key under
an id whose recorded value differs is not the one the journeys were encrypted with, and the
client stops there (`CodecError`), before a worker fails task after task on payloads it cannot
decrypt, or a command sends what the workers cannot read.

A cluster that does not let clients describe or update the namespace (a time-skipping test
server, a managed cloud) is taken on trust: the per-journey checks remain.
"""

from __future__ import annotations

import time
import weakref
from datetime import UTC, datetime
from typing import Literal

from temporalio.api.namespace.v1 import UpdateNamespaceInfo
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, UpdateNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from starter.codec import SETTING, CodecError, EncryptionCodec
from store.refusals import origin

DATA_KEY = "loan-journey.payloads"
BY_KEY = "loan-journey.payloads-declared-by"
CHECK_KEY = "loan-journey.key-check."  # + a key id: that key's check value
Declaration = Literal["encrypted", "plain"]
ENCRYPTED: Declaration = "encrypted"
PLAIN: Declaration = "plain"
_TAKEN_ON_TRUST = (RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED)
RECHECK = 30.0  # seconds a client goes by the declaration it read
# each client's last reading: (time.monotonic() when read, the namespace's data map, None
# where the cluster does not let it describe the namespace)
_read: weakref.WeakKeyDictionary[Client, tuple[float, dict[str, str] | None]] = (
    weakref.WeakKeyDictionary()
)


async def _data(client: Client) -> dict[str, str] | None:
    """The namespace's data map; None where the cluster does not let this client read it."""
    try:
        described = await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=client.namespace))
    except RPCError as err:
        if err.status in _TAKEN_ON_TRUST:
            return None
        raise
    return dict(described.namespace_info.data)


async def _updated(client: Client, data: dict[str, str]) -> dict[str, str] | None:
    """`data` merged into the namespace's data map, the map as the server has it after;
    None where the cluster does not let this client."""
    try:
        done = await client.workflow_service.update_namespace(UpdateNamespaceRequest(
            namespace=client.namespace, update_info=UpdateNamespaceInfo(data=data)))
    except RPCError as err:
        if err.status in _TAKEN_ON_TRUST:
            return None
        raise
    return dict(done.namespace_info.data)


async def declared(client: Client) -> tuple[str | None, str]:
    """The namespace's declaration (None: nothing said) and who declared it."""
    data = await _data(client) or {}
    return data.get(DATA_KEY), data.get(BY_KEY, "")


async def recorded_checks(client: Client) -> dict[str, str]:
    """The check values the namespace keeps, by key id (none where it keeps no data map)."""
    data = await _data(client) or {}
    return {k.removeprefix(CHECK_KEY): v for k, v in sorted(data.items())
            if k.startswith(CHECK_KEY)}


async def declare(client: Client, value: Declaration, by: str) -> bool:
    """Set the declaration; False where the cluster does not let this client."""
    stamp = f"{by} at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
    return await _updated(client, {DATA_KEY: value, BY_KEY: stamp}) is not None


async def _recent(client: Client) -> dict[str, str] | None:
    """The namespace's data map as this client last read it, read again once RECHECK old."""
    last = _read.get(client)
    if last is None or time.monotonic() - last[0] > RECHECK:
        last = (time.monotonic(), await _data(client))
        _read[client] = last
    return last[1]


async def keys_checked(client: Client, refused: str) -> None:
    """Before a keyed client polls, sends or reads anything: each of its keys' check values
    is the one the namespace recorded under its key id (`CodecError` starting with `refused`,
    naming the key id, where one is not); a key id the namespace has none for yet is
    recorded. A keyless client, or a cluster that keeps no data map, has nothing to check."""
    codec = client.data_converter.payload_codec
    if isinstance(codec, EncryptionCodec) and (data := await _recent(client)) is not None:
        await _compared(client, codec, data, refused)


async def _compared(client: Client, codec: EncryptionCodec, data: dict[str, str],
                    refused: str) -> None:
    _not_other_keys(client, codec, data, refused)
    new = {CHECK_KEY + kid: value for kid, value in codec.check_values.items()
           if CHECK_KEY + kid not in data}
    if new and (after := await _updated(client, new)) is not None:
        _not_other_keys(client, codec, after, refused)  # another client's, recorded meanwhile
        data.update(after)


def _not_other_keys(client: Client, codec: EncryptionCodec, data: dict[str, str],
                    refused: str) -> None:
    for kid, value in codec.check_values.items():
        recorded = data.get(CHECK_KEY + kid, value)
        if recorded != value:
            raise CodecError(
                f"{refused}: the key {SETTING} gives for key id {kid!r} is not the one "
                f"namespace {client.namespace}'s journeys were encrypted with under that id "
                f"(its check value is {value}, the namespace recorded {recorded}); set "
                f"{kid!r}'s key as the workers have it. A new key goes under a NEW key id, "
                "first in the list (a rotation); a key id in use never takes another key")


async def writes_allowed(client: Client, refused: str) -> None:
    """Before a client writes: keyed, its keys are checked (`keys_checked`) and it marks an
    undeclared namespace `encrypted`; keyless, it is refused where the namespace is declared
    `encrypted` (`CodecError` starting with `refused`, saying what to set). The namespace is
    asked again once the client's last answer is RECHECK seconds old."""
    data = await _recent(client)
    if data is None:
        return
    value = data.get(DATA_KEY)
    codec = client.data_converter.payload_codec
    if isinstance(codec, EncryptionCodec):
        await _compared(client, codec, data, refused)
    if codec is not None:
        if value is None:
            await declare(client, ENCRYPTED, f"a keyed client ({origin()})")
            data[DATA_KEY] = ENCRYPTED
    elif value == ENCRYPTED:
        raise CodecError(
            f"{refused}: namespace {client.namespace} requires encrypted payloads (declared "
            f"by {data.get(BY_KEY) or 'operations'}) and {SETTING} is not set here; set it as "
            "the workers have it")
