"""The remote codec endpoint: token required, CORS only for the UI's origins, decode works."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from starter.codec import EncryptionCodec, new_key, parse_keys
from starter.codec_server import make_server
from tests.deploy.deploy_files import ROOT
from tests.ports import free_port

TOKEN = "s3cret-token"
UI = "http://localhost:8233"
KEYS = f"k1:{new_key()}"
CODEC = EncryptionCodec(parse_keys(KEYS))
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'{"name":"Wang Fang"}')


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = make_server(CODEC, "127.0.0.1", 0, TOKEN, [UI])
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


def test_a_token_with_characters_a_url_escapes_works_in_the_path(
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = "s3cr3t tok+en/é"
    server = make_server(CODEC, "127.0.0.1", 0, token, [UI])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    try:
        with caplog.at_level(logging.INFO, logger="starter.codec_server"):
            response = _post(f"http://{host!s}:{port}/{quote(token, safe='')}/decode",
                             {"Origin": UI})
        assert response.status_code == 200, response.text
        logged = " ".join(r.getMessage() for r in caplog.records)
        assert "/<token>/decode" in logged and quote(token, safe="") not in logged
    finally:
        server.shutdown()
        server.server_close()


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


def test_the_command_lets_in_the_ui_by_both_its_names(tmp_path: Path) -> None:
    """`up` prints the Web UI as http://127.0.0.1:<port>; a browser there, or at localhost,
    is let in by `loan-journey codec-server` without --ui-origin."""
    ui_port, port = free_port(), free_port()
    env = {**os.environ, "LOAN_JOURNEY_UI_PORT": str(ui_port),
           "LOAN_JOURNEY_CODEC_KEYS": KEYS, "LOAN_JOURNEY_CODEC_TOKEN": TOKEN}
    log = tmp_path / "codec.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "starter.cli", "codec-server", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        preflight = {"Access-Control-Request-Method": "POST"}
        url = f"http://127.0.0.1:{port}/decode"
        for origin in (f"http://127.0.0.1:{ui_port}", f"http://localhost:{ui_port}"):
            ok = _options(url, {"Origin": origin, **preflight}, proc, log)
            assert ok.status_code == 204, (origin, ok.text)
            assert ok.headers["Access-Control-Allow-Origin"] == origin
            sealed = _post(f"http://127.0.0.1:{port}/{TOKEN}/decode", {"Origin": origin})
            assert sealed.status_code == 200, sealed.text
        other = _options(url, {"Origin": "http://127.0.0.1:1", **preflight}, proc, log)
        assert other.status_code == 403
        # the form the Web UI can use (it sends no header) is printed, not only the CLI's
        assert f"Web UI (it sends no header): codec endpoint http://127.0.0.1:{port}/<token>" \
            in log.read_text(errors="replace")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _options(url: str, headers: dict[str, str], proc: subprocess.Popen, log: Path,
             ) -> httpx.Response:
    """OPTIONS `url`, once the server listens (within 20 s)."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return httpx.options(url, headers=headers)
        except httpx.ConnectError:
            assert proc.poll() is None, log.read_text(errors="replace")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
