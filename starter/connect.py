"""One way to reach Temporal: address, namespace, credentials and the data converter."""

from __future__ import annotations

from dataclasses import replace

from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.service import ServiceClient

from journey.settings import Settings
from starter.codec import data_converter
from starter.errors import SetupError
from store.refusals import origin


async def connect(settings: Settings | None = None, runtime: Runtime | None = None) -> Client:
    """A client for the configured server, encrypting payloads when codec keys are set.

    TLS follows `temporal_tls`; left off, the SDK turns it on when an API key is given.
    `runtime` (for example one exporting Prometheus metrics) defaults to the SDK's own.
    The client's identity is this process's origin (user@host pid): the server records it
    with every start, update and signal it sends, next to the actor the caller names (--as).
    """
    settings = settings or Settings()
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            api_key=settings.temporal_api_key,
            tls=True if settings.temporal_tls else None,
            data_converter=data_converter(settings),
            runtime=runtime,
            identity=origin(),
        )
    except RuntimeError as err:  # the SDK reports a failed connect as RuntimeError
        raise SetupError(
            f"cannot reach Temporal at {settings.temporal_address} "
            f"(namespace {settings.temporal_namespace}): start the embedded server or set "
            f"LOAN_JOURNEY_TEMPORAL_ADDRESS ({err})"
        ) from err


async def speaking_for(client: Client, identity: str) -> Client:
    """A client like `client` (server, namespace, data converter) whose identity is
    `identity`: the server records it with each update it sends, so that one sent for someone
    else (a pending instruction delivered later) names whom it was typed by, and when."""
    config = client.config()
    config["service_client"] = await ServiceClient.connect(
        replace(client.service_client.config, identity=identity))
    return Client(**config)
