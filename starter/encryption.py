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

from starter.codec import SETTING, CodecError
from store.refusals import origin

DATA_KEY = "loan-journey.payloads"
BY_KEY = "loan-journey.payloads-declared-by"
Declaration = Literal["encrypted", "plain"]
ENCRYPTED: Declaration = "encrypted"
PLAIN: Declaration = "plain"
_TAKEN_ON_TRUST = (RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED)
RECHECK = 30.0  # seconds a client goes by the declaration it read
# each client's last reading: (time.monotonic() when read, declaration, who declared it)
_read: weakref.WeakKeyDictionary[Client, tuple[float, str | None, str]] = (
    weakref.WeakKeyDictionary()
)


async def declared(client: Client) -> tuple[str | None, str]:
    """The namespace's declaration (None: nothing said) and who declared it."""
    try:
        described = await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=client.namespace))
    except RPCError as err:
        if err.status in _TAKEN_ON_TRUST:
            return None, ""
        raise
    data = described.namespace_info.data
    return data.get(DATA_KEY), data.get(BY_KEY, "")


async def declare(client: Client, value: Declaration, by: str) -> bool:
    """Set the declaration; False where the cluster does not let this client."""
    stamp = f"{by} at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
    try:
        await client.workflow_service.update_namespace(UpdateNamespaceRequest(
            namespace=client.namespace,
            update_info=UpdateNamespaceInfo(data={DATA_KEY: value, BY_KEY: stamp})))
    except RPCError as err:
        if err.status in _TAKEN_ON_TRUST:
            return False
        raise
    return True


async def writes_allowed(client: Client, refused: str) -> None:
    """Before a client writes: keyed, it marks an undeclared namespace `encrypted`; keyless,
    it is refused where the namespace is declared `encrypted` (`CodecError` starting with
    `refused`, saying what to set). The namespace is asked again once the client's last
    answer is RECHECK seconds old."""
    last = _read.get(client)
    if last is None or time.monotonic() - last[0] > RECHECK:
        last = (time.monotonic(), *await declared(client))
        _read[client] = last
    _, value, by = last
    if client.data_converter.payload_codec is not None:
        if value is None:
            await declare(client, ENCRYPTED, f"a keyed client ({origin()})")
            _read[client] = (last[0], ENCRYPTED, "")
    elif value == ENCRYPTED:
        raise CodecError(
            f"{refused}: namespace {client.namespace} requires encrypted payloads (declared "
            f"by {by or 'operations'}) and {SETTING} is not set here; set it as the workers "
            "have it")

