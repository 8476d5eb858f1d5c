"""The policies the workers ran, in the journey database: each version of a kind once with its
content, the same content again taken as recorded, other content under it refused; the one
loaded last is the policy in force."""

from __future__ import annotations

import pytest

from store.policies import VersionReused, in_force, record_policy, recorded, sha256_of


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


def test_a_post_loan_policy_is_recorded_beside_the_lending_one_under_its_own_versions(
        db_url: str) -> None:
    """A post-loan policy's version stands for one text too, apart from the lending policy's
    versions: the same label in both is two policies, neither in force for the other."""
    record_policy(db_url, "2027.1", '{"version": "2027.1"}')
    record_policy(db_url, "2027.1", '{"version": "2027.1", "covenants": []}', "post_loan")
    assert in_force(db_url).text == '{"version": "2027.1"}'  # type: ignore[union-attr]
    assert recorded(db_url, "2027.1", "post_loan").text == (  # type: ignore[union-attr]
        '{"version": "2027.1", "covenants": []}')
    with pytest.raises(VersionReused, match="post-loan policy version 2027.1 was first loaded "
                       ".* with other content"):
        record_policy(db_url, "2027.1", '{"version": "2027.1", "covenants": [1]}', "post_loan")
    record_policy(db_url, "2027.1", '{"version": "2027.1"}')  # the lending one, unchanged
