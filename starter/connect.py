"""One way to reach Temporal: address, namespace, credentials and the data converter."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.service import ServiceClient, TLSConfig

from journey.settings import Settings
from starter.codec import data_converter
from starter.errors import ServerLost, SetupError
from starter.keyed_updates import client_interceptors
from store.refusals import origin

log = logging.getLogger(__name__)


async def connect(settings: Settings | None = None, runtime: Runtime | None = None) -> Client:
    """A client for the configured server, encrypting payloads when codec keys are set.

    TLS follows `temporal_tls` and the CA, client certificate and server name settings
    (`tls_config`); left off, the SDK turns it on when an API key is given.
    `runtime` (for example one exporting Prometheus metrics) defaults to the SDK's own.
    Keyed, it signs every update it sends, which keyed workers require (starter/keyed_updates.py).
    The client's identity is this process's origin (user@host pid): the server records it
    with every start, update and signal it sends, next to the actor the caller names (--as).
    """
    settings = settings or Settings()
    converter = data_converter(settings)
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            api_key=(settings.temporal_api_key.get_secret_value()
                     if settings.temporal_api_key else None),
            tls=tls_config(settings),
            data_converter=converter,
            interceptors=client_interceptors(converter),  # keyed: its updates signed
            runtime=runtime,
            identity=origin(),
        )
    except RuntimeError as err:  # the SDK reports a failed connect as RuntimeError
        # the SDK's own words (tonic's transport error) are for whoever debugs the network
        log.debug("connecting to %s failed: %s", settings.temporal_address, err)
        raise SetupError(
            f"{_what_failed(settings.temporal_address, str(err))} (namespace "
            f"{settings.temporal_namespace}): {_what_to_do(str(err), settings)}"
        ) from err


def lost(address: str, namespace: str, sent: str = "") -> ServerLost:
    """The server at `address` went away after the connect, during the command: one line
    saying so and what to do; `sent`, what the command had sent that may have been recorded
    before it went (nothing for a read, which records nothing)."""
    said = (f"the Temporal server at {address} did not answer (namespace {namespace}) once "
            "the command had reached it")
    if sent:
        return ServerLost(f"{said}: {sent}")
    return ServerLost(f"{said}: start the embedded server or set {_env('temporal_address')}, "
                      "then run the command again")


def tls_config(settings: Settings) -> TLSConfig | None:
    """The TLS the settings ask for: None (plain, or the SDK's choice with an API key), or
    the CA that signed the server's certificate, the client's certificate and key (mTLS) and
    the name the server's certificate gives, each left to the system's default when unset.
    The files were found readable as the settings were read."""
    if not settings.temporal_tls_on:
        return None

    def read(file: Path | None) -> bytes | None:
        return file.read_bytes() if file is not None else None

    return TLSConfig(
        server_root_ca_cert=read(settings.temporal_tls_ca_file),
        client_cert=read(settings.temporal_tls_cert_file),
        client_private_key=read(settings.temporal_tls_key_file),
        domain=settings.temporal_tls_server_name,
    )


# rustls's words, in the SDK's error, for a TLS handshake that failed
_UNTRUSTED = ("InvalidCertificate", "UnknownIssuer")
_NOT_TLS = "InvalidContentType"


def _what_failed(address: str, said: str) -> str:
    """What a failed connect to `address` was, in the bank's words: a TLS handshake that
    failed met a server; anything else is one that did not answer."""
    if _NOT_TLS in said or any(word in said for word in _UNTRUSTED):
        return f"cannot talk TLS with the Temporal server at {address}"
    return f"the Temporal server at {address} did not answer"


def _what_to_do(said: str, settings: Settings) -> str:
    """Advice for a failed connect: a TLS handshake that failed is no server that is down.
    An API key turns TLS on by itself (the SDK's choice, `connect`): with no TLS setting
    set, unsetting them would change nothing, so the key is named as what turned it on."""
    key = _env("temporal_api_key")
    if _NOT_TLS in said and not settings.temporal_tls_on:
        return (f"the server does not speak TLS there, and {key} turned TLS on (an API key "
                "is sent over TLS only): unset the API key for a server without TLS, or give "
                "the address of its TLS endpoint")
    if _NOT_TLS in said:
        also = f", and {key}, which turns it on too" if settings.temporal_api_key else ""
        return (f"the server does not speak TLS there: unset {_env('temporal_tls')} (and the "
                f"{_env('temporal_tls_ca_file')}, _CERT_FILE and _SERVER_NAME settings{also}), "
                "or give the address of its TLS endpoint")
    if any(word in said for word in _UNTRUSTED):
        return (f"the server's TLS certificate is not trusted: set {_env('temporal_tls_ca_file')} "
                "to the CA certificate that signed it (PEM), and "
                f"{_env('temporal_tls_server_name')} if it names another host than the address")
    return (f"start the embedded server or set {_env('temporal_address')}")


def _env(field: str) -> str:
    return Settings.env_name(field)


async def speaking_for(client: Client, identity: str) -> Client:
    """A client like `client` (server, namespace, data converter) whose identity is
    `identity`: the server records it with each update it sends, so that one sent for someone
    else (a pending instruction delivered later) names whom it was typed by, and when."""
    config = client.config()
    config["service_client"] = await ServiceClient.connect(
        replace(client.service_client.config, identity=identity))
    return Client(**config)
