"""The lending policies the workers ran, in the journey database: each version once with its
content, the same content again taken as recorded, other content under it refused; the one
loaded last is the policy in force."""

from __future__ import annotations

import pytest

from store.policies import VersionReused, in_force, record_policy, sha256_of


def test_a_version_stands_for_one_content_and_the_one_loaded_last_is_in_force(
        db_url: str) -> None:
    assert in_force(db_url) is None
    record_policy(db_url, "2026.12-6", '{"version": "2026.12-6"}')
    record_policy(db_url, "2026.12-7", '{"version": "2026.12-7"}')
    newest = in_force(db_url)
    assert newest is not None
    assert (newest.version, newest.sha256) == ("2026.12-7", sha256_of('{"version": "2026.12-7"}'))
    record_policy(db_url, "2026.12-6", '{"version": "2026.12-6"}')  # workers rolled back to it
    back = in_force(db_url)
    assert back is not None and back.version == "2026.12-6"
    assert back.first_loaded_at < back.last_loaded_at
    record_policy(db_url, "2026.12-7", '{"version": "2026.12-7"}')
    with pytest.raises(VersionReused, match="policy version 2026.12-7 was first loaded .* "
                       "with other content"):
        record_policy(db_url, "2026.12-7", '{"version": "2026.12-7", "description": "edited"}')
    assert in_force(db_url).text == '{"version": "2026.12-7"}'  # type: ignore[union-attr]
