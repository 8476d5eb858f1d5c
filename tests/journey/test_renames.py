"""A company's names, as the renames of its credit code link them (journey/renames.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from journey.actors import Actor, Role
from journey.renames import Rename, current_name, formerly, one_company

CODE = "91310000MA1FL0000X"


def renamed(former: str, name: str, day: int) -> Rename:
    return Rename(credit_code=CODE, former_name=former, name=name,
                  declared_by=Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER),
                  declared_at=datetime(2026, 12, day, tzinfo=UTC), workflow_id=f"loan-{day}")


def test_a_chain_of_renames_is_one_company_by_its_latest_name() -> None:
    chain = [renamed("甲公司", "乙公司", 1), renamed("乙公司", "丙公司", 2)]
    assert current_name(chain, "甲公司") == current_name(chain, "乙公司") == "丙公司"
    assert formerly(chain, "丙公司") == ["乙公司", "甲公司"]
    assert formerly(chain, "乙公司") == []  # not its current name
    assert one_company(chain, "甲公司", "丙公司")
    assert not one_company(chain, "甲公司", "丁公司")
    assert current_name(chain, "丁公司") == "丁公司" and formerly(chain, "丁公司") == []


def test_a_company_renamed_back_is_called_by_its_latest_name() -> None:
    back = [renamed("甲公司", "乙公司", 1), renamed("乙公司", "甲公司", 2)]
    assert current_name(back, "乙公司") == "甲公司"
    assert formerly(back, "甲公司") == ["乙公司"]


def test_names_are_compared_as_the_completeness_check_reads_them() -> None:
    chain = [renamed("某某（北京）科技有限公司", "某某科技有限公司", 1)]
    assert current_name(chain, "某某(北京)科技有限公司") == "某某科技有限公司"
