"""Malformed application files: `load_application` refuses each with `BadInput` and a
message, never another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from starter.applications import load_application
from starter.errors import BadInput

SAMPLE = Path(__file__).resolve().parents[2] / "samples/applications/demo-001.json"
VALID: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)


@st.composite
def damaged_applications(draw: st.DrawFn) -> dict[str, Any]:
    """The sample application with some fields dropped or replaced by any JSON value."""
    data = dict(VALID)
    keys = st.sampled_from([*sorted(VALID), "documents", "annual_rate"])
    for key in draw(st.lists(keys, min_size=1, max_size=4)):
        if draw(st.booleans()):
            data.pop(key, None)
        else:
            data[key] = draw(json_values)
    return data


def _refused(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "application.json"
        path.write_bytes(content)
        try:
            load_application(path)
        except BadInput as err:
            assert str(err)
        # a payload that happens to be valid is fine; any other exception fails the test


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

@FUZZ
@given(damaged_applications())
def test_damaged_applications_are_bad_input(data: dict[str, Any]) -> None:
    _refused(json.dumps(data, ensure_ascii=False).encode())


@FUZZ
@given(json_values)
def test_any_json_document_is_bad_input(value: object) -> None:
    _refused(json.dumps(value).encode())


@FUZZ
@given(st.binary(max_size=300))
def test_bytes_that_are_not_json_or_utf8_are_bad_input(content: bytes) -> None:
    _refused(content)


def test_spaces_are_trimmed_and_a_blank_name_is_refused_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "application.json"
    code = VALID["credit_code"]
    path.write_text(json.dumps({**VALID, "credit_code": f"  {code.lower()} ",
                                "applicant_name": f" {VALID['applicant_name']}  "}))
    app = load_application(path)
    assert (app.credit_code, app.applicant_name) == (code, VALID["applicant_name"])
    path.write_text(json.dumps({**VALID, "applicant_name": "   "}))
    try:
        load_application(path)
    except BadInput as err:
        said = str(err)
    else:
        raise AssertionError("a blank applicant name was taken")
    assert "applicant_name: String should have at least 2 characters" in said
    assert "pydantic" not in said and "input_value" not in said
