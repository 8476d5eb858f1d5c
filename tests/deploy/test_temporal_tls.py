"""Temporal over TLS with the bank's own CA and mTLS: the files are checked as the settings are
read (a bad one names its variable, exit 5), the client presents them to a real TLS endpoint in
front of a test server, and a handshake that fails says it is TLS, not a server that is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import ValidationError
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from starter.connect import connect
from starter.errors import SetupError
from tests.conftest import installed_test_server
from tests.deploy.test_process_exit import IMAGE_WORKER, _said
from tests.deploy.tls_kit import Issued, PrivateCa, tls_front

SERVER_NAME = "temporal.bank.internal"  # not the address it is reached at: SNI is needed


@pytest.fixture
def ca(tmp_path: Path) -> PrivateCa:
    return PrivateCa.create(tmp_path)


@pytest.fixture
def client_cert(ca: PrivateCa) -> Issued:
    return ca.issue("loan-journey-worker", client=True)


def _address(env: WorkflowEnvironment) -> str:
    return env.client.service_client.config.target_host


async def test_a_worker_reaches_temporal_behind_a_private_ca_with_its_client_certificate(
    time_skipping_env: WorkflowEnvironment, ca: PrivateCa, client_cert: Issued, tmp_path: Path
) -> None:
    server = ca.issue("temporal", dns=(SERVER_NAME,))
    async with tls_front(_address(time_skipping_env), server, ca.cert_file) as address:
        settings = Settings(
            data_dir=tmp_path, temporal_address=address, temporal_tls_ca_file=ca.cert_file,
            temporal_tls_cert_file=client_cert.cert, temporal_tls_key_file=client_cert.key,
            temporal_tls_server_name=SERVER_NAME)
        client = await connect(settings)
        info = await client.workflow_service.get_system_info(GetSystemInfoRequest())
        assert info.capabilities is not None  # answered, over TLS, by the server behind


@pytest.mark.parametrize("without", ["temporal_tls_ca_file", "temporal_tls_server_name"])
async def test_a_certificate_not_trusted_is_said_to_be_a_tls_problem(
    time_skipping_env: WorkflowEnvironment, ca: PrivateCa, client_cert: Issued, tmp_path: Path,
    without: str,
) -> None:
    """Signed by a CA the system does not know, or for another name than the one asked for."""
    server = ca.issue("temporal", dns=(SERVER_NAME,))
    async with tls_front(_address(time_skipping_env), server, ca.cert_file) as address:
        given = {"temporal_tls_ca_file": ca.cert_file, "temporal_tls_server_name": SERVER_NAME,
                 "temporal_tls_cert_file": client_cert.cert,
                 "temporal_tls_key_file": client_cert.key}
        del given[without]
        settings = Settings(data_dir=tmp_path, temporal_address=address, **given)
        with pytest.raises(SetupError) as raised:
            await connect(settings)
    said = str(raised.value)
    assert "the server's TLS certificate is not trusted: set LOAN_JOURNEY_TEMPORAL_TLS_CA_FILE" \
        in said
    assert "LOAN_JOURNEY_TEMPORAL_TLS_SERVER_NAME" in said
    assert "start the embedded server" not in said


async def test_tls_to_a_server_that_speaks_none_says_to_unset_it(tmp_path: Path) -> None:
    """The test kits' server is plaintext: the worker's log says TLS, exit 5, no traceback."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=installed_test_server())
    async with env:
        said = await _said(IMAGE_WORKER, tmp_path, {
            "LOAN_JOURNEY_TEMPORAL_ADDRESS": _address(env), "LOAN_JOURNEY_TEMPORAL_TLS": "true",
            "LOAN_JOURNEY_DATA_DIR": str(tmp_path)}, 5)
    assert "the server does not speak TLS there: unset LOAN_JOURNEY_TEMPORAL_TLS" in said
    assert "start the embedded server" not in said and "Traceback" not in said


async def test_an_api_key_against_a_plain_server_is_named_as_what_turned_tls_on(
    tmp_path: Path,
) -> None:
    """No TLS setting is set: the key alone turned TLS on, so it is what to unset."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=installed_test_server())
    async with env:
        said = await _said(IMAGE_WORKER, tmp_path, {
            "LOAN_JOURNEY_TEMPORAL_ADDRESS": _address(env),
            "LOAN_JOURNEY_TEMPORAL_API_KEY": "key-in-clear",
            "LOAN_JOURNEY_DATA_DIR": str(tmp_path)}, 5)
    assert ("the server does not speak TLS there, and LOAN_JOURNEY_TEMPORAL_API_KEY turned TLS "
            "on") in said, said
    assert "unset LOAN_JOURNEY_TEMPORAL_TLS" not in said
    assert "key-in-clear" not in said and "Traceback" not in said


def _bad(**files: Path) -> str:
    with pytest.raises(ValidationError) as raised:
        Settings(**files)  # type: ignore[arg-type]
    return str(raised.value)


def test_the_tls_files_are_read_as_the_settings_are(
    ca: PrivateCa, client_cert: Issued, tmp_path: Path
) -> None:
    settings = Settings(temporal_tls_ca_file=ca.cert_file,
                        temporal_tls_cert_file=client_cert.cert,
                        temporal_tls_key_file=client_cert.key)
    assert settings.temporal_tls_on and not settings.temporal_tls
    assert "No such file" in _bad(temporal_tls_ca_file=tmp_path / "gone.crt")
    assert "cannot be read: Is a directory" in _bad(temporal_tls_ca_file=tmp_path)
    (tmp_path / "der.crt").write_bytes(ca.cert.public_bytes(Encoding.DER))
    assert "is not in PEM format" in _bad(temporal_tls_ca_file=tmp_path / "der.crt")
    assert "a client certificate without its key" in _bad(
        temporal_tls_cert_file=client_cert.cert)
    assert "a client key without its certificate" in _bad(temporal_tls_key_file=client_cert.key)


async def test_a_worker_with_a_client_certificate_and_no_key_names_both_and_exits_5(
    client_cert: Issued, tmp_path: Path
) -> None:
    said = await _said(IMAGE_WORKER, tmp_path,
                       {"LOAN_JOURNEY_TEMPORAL_TLS_CERT_FILE": str(client_cert.cert)}, 5)
    assert said.startswith("error: bad setting: LOAN_JOURNEY_TEMPORAL_TLS_KEY_FILE: ")
    assert "set both LOAN_JOURNEY_TEMPORAL_TLS_CERT_FILE and LOAN_JOURNEY_TEMPORAL_TLS_KEY_FILE" \
        in said
    assert "Traceback" not in said
