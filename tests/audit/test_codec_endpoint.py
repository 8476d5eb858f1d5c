"""The remote codec endpoint: token required, CORS only for the UI origin, decode works."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from starter.codec import EncryptionCodec, new_key, parse_keys
from starter.codec_server import make_server

TOKEN = "s3cret-token"
UI = "http://localhost:8233"
CODEC = EncryptionCodec(parse_keys(f"k1:{new_key()}"))
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'{"name":"Wang Fang"}')


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = make_server(CODEC, "127.0.0.1", 0, TOKEN, UI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}"
    server.shutdown()
    server.server_close()


def _sealed_body() -> str:
    [sealed] = asyncio.run(CODEC.encode([PLAIN]))
    return json_format.MessageToJson(Payloads(payloads=[sealed]))


def _post(url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    headers = {"Content-Type": "application/json", **(headers or {})}
    return httpx.post(url, content=_sealed_body(), headers=headers)


def test_refused_without_token(base_url: str) -> None:
    response = _post(f"{base_url}/decode")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.text


def test_refused_with_wrong_token(base_url: str) -> None:
    assert _post(f"{base_url}/decode", {"Authorization": "Bearer nope"}).status_code == 403
    assert _post(f"{base_url}/nope/decode").status_code == 403


def test_decode_with_token(base_url: str) -> None:
    response = _post(
        f"{base_url}/decode", {"Authorization": f"Bearer {TOKEN}", "X-Namespace": "default"}
    )
    assert response.status_code == 200, response.text
    [decoded] = json_format.Parse(response.text, Payloads()).payloads
    assert decoded == PLAIN


def test_token_in_path_for_the_web_ui(base_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="starter.codec_server"):
        response = _post(f"{base_url}/{TOKEN}/decode", {"Origin": UI})
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == UI
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert '"POST /<token>/decode HTTP/1.1" 200' in logged  # the access log, without the token
    assert TOKEN not in logged


def test_encode_then_decode(base_url: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    body = json_format.MessageToJson(Payloads(payloads=[PLAIN]))
    encoded = httpx.post(f"{base_url}/encode", content=body, headers=auth)
    assert encoded.status_code == 200 and "Wang" not in encoded.text
    decoded = httpx.post(f"{base_url}/decode", content=encoded.text, headers=auth)
    assert json_format.Parse(decoded.text, Payloads()).payloads[0] == PLAIN


def test_bad_body_is_400(base_url: str) -> None:
    response = httpx.post(
        f"{base_url}/decode", content="not json", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 400


def test_cors_preflight_only_for_the_ui_origin(base_url: str) -> None:
    preflight = {"Access-Control-Request-Method": "POST"}
    ok = httpx.options(f"{base_url}/decode", headers={"Origin": UI, **preflight})
    assert ok.status_code == 204
    assert ok.headers["Access-Control-Allow-Origin"] == UI
    assert "authorization" in ok.headers["Access-Control-Allow-Headers"]
    assert "x-namespace" in ok.headers["Access-Control-Allow-Headers"]
    other = httpx.options(f"{base_url}/decode", headers={"Origin": "http://evil.test", **preflight})
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers


def test_post_from_another_origin_is_refused(base_url: str) -> None:
    response = _post(
        f"{base_url}/decode", {"Authorization": f"Bearer {TOKEN}", "Origin": "http://evil.test"}
    )
    assert response.status_code == 403


def test_garbled_ciphertext_is_400_not_a_crash(base_url: str) -> None:
    garbled = Payload(metadata={"encoding": b"binary/encrypted", "encryption-key-id": b"k1"})
    garbled.data = b"short"
    response = httpx.post(
        f"{base_url}/decode",
        content=json_format.MessageToJson(Payloads(payloads=[garbled])),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
