"""Temporal's remote codec endpoint, so the Web UI and the `temporal` CLI can show payloads.

Protocol (temporalio samples-go `codec-server/README.md`): `POST .../encode` and
`POST .../decode` take and return a `Payloads` message in protobuf JSON
(`{"payloads": [{"metadata": {...base64}, "data": "base64"}]}`); only the last path segment
names the operation; an `X-Namespace` header may say which namespace asks. Errors are 400.

Every request needs the token: `Authorization: Bearer <token>` (the CLI:
`temporal workflow show --codec-endpoint http://127.0.0.1:8081 --codec-auth "Bearer <token>"`),
or, for the Web UI, whose codec setting cannot add a header, the token as the first path
segment (`http://127.0.0.1:8081/<token>`). Browsers are only let in from the UI's origins.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Annotated, Any
from urllib.parse import unquote

import typer
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from journey.settings import Settings
from starter.codec import CodecError, EncryptionCodec

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024 * 1024
ALLOWED_HEADERS = "authorization, content-type, x-namespace"
CodecFn = Callable[[Sequence[Payload]], Coroutine[Any, Any, list[Payload]]]


def _handler(
    codec: PayloadCodec, token: str, ui_origins: frozenset[str]
) -> type[BaseHTTPRequestHandler]:
    operations: dict[str, CodecFn] = {"encode": codec.encode, "decode": codec.decode}
    only = f"origin not allowed; only {', '.join(sorted(ui_origins))}"

    class CodecHandler(BaseHTTPRequestHandler):
        server_version = "loan-journey-codec"

        def log_message(self, format: str, *args: object) -> None:
            # the Web UI puts the token in the path: an access log must not keep it
            line = re.sub(r"/([^/\s?]+)",  # each path segment, however the client quoted it
                          lambda m: "/<token>" if unquote(m[1]) == token else m[0],
                          (format % args).replace(token, "<token>"))
            log.info("%s %s", self.address_string(), line)

        def do_OPTIONS(self) -> None:  # noqa: N802 (http.server's naming)
            if self.headers.get("Origin") not in ui_origins:
                self._reply(HTTPStatus.FORBIDDEN, only)
                return
            self.send_response(HTTPStatus.NO_CONTENT)
            self._cors()
            self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", ALLOWED_HEADERS)
            self.send_header("Access-Control-Max-Age", "600")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802
            origin = self.headers.get("Origin")
            if origin is not None and origin not in ui_origins:
                self._reply(HTTPStatus.FORBIDDEN, only)
                return
            segments = [unquote(s) for s in self.path.split("?", 1)[0].split("/") if s]
            if not self._authorised(segments):
                return
            operation = operations.get(segments[-1] if segments else "")
            if operation is None:
                self._reply(HTTPStatus.NOT_FOUND, "use POST .../encode or POST .../decode")
                return
            length = _length(self.headers.get("Content-Length"))
            if length < 0:
                self._reply(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
                return
            if length > MAX_BODY:
                self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
                return
            try:
                payloads = json_format.Parse(self.rfile.read(length), Payloads())
                result = Payloads(payloads=asyncio.run(operation(payloads.payloads)))
            except json_format.ParseError as err:
                self._reply(HTTPStatus.BAD_REQUEST, f"body is not Payloads JSON: {err}")
                return
            except CodecError as err:
                self._reply(HTTPStatus.BAD_REQUEST, str(err))
                return
            except Exception as err:  # the protocol answers every codec failure with 400
                log.exception("%s failed", segments[-1])
                self._reply(HTTPStatus.BAD_REQUEST, f"{segments[-1]} failed: {err}")
                return
            log.info(
                "%s %d payload(s) for namespace %s",
                segments[-1],
                len(result.payloads),
                self.headers.get("X-Namespace", "-"),
            )
            self._reply(HTTPStatus.OK, json_format.MessageToJson(result), "application/json")

        def _authorised(self, segments: list[str]) -> bool:
            header = self.headers.get("Authorization")
            if header is None and len(segments) < 2:
                self._reply(HTTPStatus.UNAUTHORIZED, "send 'Authorization: Bearer <token>'")
                return False
            given = header.removeprefix("Bearer ").strip() if header else segments[0]
            if not hmac.compare_digest(given.encode(), token.encode()):
                self._reply(HTTPStatus.FORBIDDEN, "wrong token")
                return False
            return True

        def _cors(self) -> None:
            if (origin := self.headers.get("Origin")) in ui_origins:
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Access-Control-Allow-Credentials", "true")
                self.send_header("Vary", "Origin")

        def _reply(self, status: HTTPStatus, body: str, kind: str = "text/plain") -> None:
            data = body.encode()
            self.send_response(status)
            self._cors()
            if status == HTTPStatus.UNAUTHORIZED:
                self.send_header("WWW-Authenticate", "Bearer")
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return CodecHandler


def _length(header: str | None) -> int:
    try:
        return int(header) if header is not None else -1
    except ValueError:
        return -1


def make_server(
    codec: PayloadCodec, host: str, port: int, token: str, ui_origins: Sequence[str]
) -> ThreadingHTTPServer:
    """A bound server (port 0 picks a free one: see `server_address`); call serve_forever()."""
    if not token:
        raise ValueError("the codec server needs a token; pass --token or LOAN_JOURNEY_CODEC_TOKEN")
    origins = frozenset(o.rstrip("/") for o in ui_origins)
    return ThreadingHTTPServer((host, port), _handler(codec, token, origins))


def default_origins(settings: Settings) -> list[str]:
    """The Web UI of `loan-journey up` by both of its names: `up` prints 127.0.0.1."""
    return [f"http://{name}:{settings.ui_port}" for name in ("127.0.0.1", "localhost")]


def serve(settings: Settings, host: str, port: int, token: str, ui_origins: Sequence[str]) -> None:
    """Serve until SIGINT or SIGTERM, with the codec built from `settings.codec_keys`."""
    codec = EncryptionCodec.from_settings(settings)
    # SIGTERM (`docker stop`, systemd) stops it as Ctrl-C does: exit 0, as the worker; set
    # before the endpoint is announced, so that a stop sent once it is seen finds it set
    before = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with make_server(codec, host, port, token, ui_origins) as server:
            log.info(
                "codec endpoint http://%s:%d for UI origins %s; Web UI (it sends no "
                "header): codec endpoint http://%s:%d/<token>; CLI: temporal ... "
                '--codec-endpoint http://%s:%d --codec-auth "Bearer <token>"',
                host, port, ", ".join(ui_origins), host, port, host, port,
            )
            server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        signal.signal(signal.SIGTERM, before)


def codec_server(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8081,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="LOAN_JOURNEY_CODEC_TOKEN",
            help="Bearer token clients must send; a random one is printed if not given.",
        ),
    ] = None,
    ui_origin: Annotated[
        list[str] | None,
        typer.Option(help="A Web UI origin browsers may call from; repeat for several "
                          "[http://127.0.0.1:UI_PORT and http://localhost:UI_PORT]."),
    ] = None,
) -> None:
    """Serve the remote codec endpoint for the Web UI and `temporal --codec-endpoint`."""
    settings = Settings()
    if not token:
        token = secrets.token_urlsafe(24)
        typer.echo(f"token (set LOAN_JOURNEY_CODEC_TOKEN to choose one): {token}", err=True)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    try:
        serve(settings, host, port, token, ui_origin or default_origins(settings))
    except CodecError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err
