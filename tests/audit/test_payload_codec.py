"""The encryption codec: round trip, key rotation and clear errors."""

from __future__ import annotations

import asyncio
import base64

import pytest
from pydantic import BaseModel
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure

from journey.policy.errors import DecisionRefused
from journey.settings import Settings
from starter.codec import (
    ENCODING,
    KEY_ID_METADATA,
    CodecError,
    EncryptionCodec,
    check_value,
    data_converter,
    new_key,
    parse_keys,
)

OLD = new_key()
NEW = new_key()


class Applicant(BaseModel):
    legal_name: str
    amount: int


def _payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


def test_round_trip_hides_the_plain_text() -> None:
    codec = EncryptionCodec(parse_keys(f"k1:{NEW}"))
    plain = _payload('{"name":"Zhang Wei"}')
    [sealed] = asyncio.run(codec.encode([plain]))
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID_METADATA] == b"k1"
    assert b"Zhang" not in sealed.data and b"Zhang" not in sealed.SerializeToString()
    [opened] = asyncio.run(codec.decode([sealed]))
    assert opened == plain


def test_rotation_old_key_decrypts_new_key_encrypts() -> None:
    before = EncryptionCodec(parse_keys(f"old:{OLD}"))
    [sealed_old] = asyncio.run(before.encode([_payload("1")]))
    after = EncryptionCodec(parse_keys(f"new:{NEW},old:{OLD}"))
    assert after.encrypting_key_id == "new"
    [sealed_new] = asyncio.run(after.encode([_payload("2")]))
    assert sealed_new.metadata[KEY_ID_METADATA] == b"new"
    assert asyncio.run(after.decode([sealed_old, sealed_new])) == [_payload("1"), _payload("2")]


def test_unencrypted_payload_passes_through() -> None:
    codec = EncryptionCodec(parse_keys(f"k1:{NEW}"))
    assert asyncio.run(codec.decode([_payload("3")])) == [_payload("3")]


def test_missing_key_names_the_key_id_and_the_setting() -> None:
    [sealed] = asyncio.run(EncryptionCodec(parse_keys(f"gone:{OLD}")).encode([_payload("1")]))
    with pytest.raises(CodecError, match=r"'gone'.*LOAN_JOURNEY_CODEC_KEYS"):
        asyncio.run(EncryptionCodec(parse_keys(f"k1:{NEW}")).decode([sealed]))


def test_wrong_key_under_the_same_id_is_refused() -> None:
    [sealed] = asyncio.run(EncryptionCodec(parse_keys(f"k1:{OLD}")).encode([_payload("1")]))
    with pytest.raises(CodecError, match="failed authentication"):
        asyncio.run(EncryptionCodec(parse_keys(f"k1:{NEW}")).decode([sealed]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("nokey", "key-id:base64key"),
        ("k1:not base64!", "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "16, 24 or 32"),
        (f"k1:{NEW},k1:{OLD}", "twice"),
    ],
    ids=["empty", "no-key-id", "not-base64", "short-key", "one-id-twice"],  # the keys are random
)
def test_bad_settings_say_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        parse_keys(text)


def test_data_converter_encrypts_only_when_keys_are_set() -> None:
    assert data_converter(Settings(codec_keys=None)).payload_codec is None
    converter = data_converter(Settings(codec_keys=f"k1:{NEW}"))
    assert isinstance(converter.payload_codec, EncryptionCodec)
    [sealed] = asyncio.run(converter.encode([Applicant(legal_name="Li Na", amount=5)]))
    assert b"Li Na" not in sealed.SerializeToString()
    [back] = asyncio.run(converter.decode([sealed], [Applicant]))
    assert back == Applicant(legal_name="Li Na", amount=5)


def test_failure_texts_are_encrypted_but_a_refusals() -> None:
    """A refusal's reason reads without keys; any other failure's text is encrypted."""
    converter = data_converter(Settings(codec_keys=f"new:{NEW}")).failure_converter
    payloads = data_converter(Settings()).payload_converter

    def failure_of(err: Exception) -> Failure:
        failure = Failure()
        converter.to_failure(err, payloads, failure)
        return failure

    refused = failure_of(DecisionRefused("an opinion is already recorded for this review"))
    assert refused.message == "an opinion is already recorded for this review"
    assert not refused.HasField("encoded_attributes") and refused.stack_trace == ""
    failed = failure_of(ValueError("Zhang Wei 张伟 owes 1,000,000"))
    assert failed.message == "Encoded failure" and "张伟" not in str(failed)


def test_a_keys_check_value_never_changes_and_is_not_the_key() -> None:
    """The namespaces keep these (starter/encryption.py): a derivation that changed would
    refuse every deployment's right keys."""
    key = bytes(range(32))
    assert check_value(key) == "9e46bdba568d44d1"  # HMAC-SHA256(key, label), 8 bytes, hex
    assert check_value(bytes(32)) == "65957e1385c3e228"
    assert key.hex()[:16] != check_value(key)
    codec = EncryptionCodec(parse_keys(f"k2:{NEW},k1:{OLD}"))
    assert codec.check_values == {"k2": check_value(base64.b64decode(NEW)),
                                  "k1": check_value(base64.b64decode(OLD))}
