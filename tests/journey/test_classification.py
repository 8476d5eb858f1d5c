"""Five-tier classification floors by days past due."""

from __future__ import annotations

import pytest

from journey.classification import RiskClass, classify, floor_by_days_past_due, worse

N, SM, SUB, DBT, LOSS = tuple(RiskClass)


@pytest.mark.parametrize(
    ("dpd", "floor"),
    [(0, N), (1, SM), (90, SM), (91, SUB), (270, SUB), (271, DBT), (360, DBT), (361, LOSS),
     (5000, LOSS)],
)  # fmt: skip
def test_floor(dpd: int, floor: RiskClass) -> None:
    assert floor_by_days_past_due(dpd) is floor


def test_negative_days_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        floor_by_days_past_due(-1)


@pytest.mark.parametrize(
    ("a", "b", "expected"), [(N, SM, SM), (DBT, SUB, DBT), (LOSS, N, LOSS), (SUB, SUB, SUB)]
)
def test_worse(a: RiskClass, b: RiskClass, expected: RiskClass) -> None:
    assert worse(a, b) is expected is worse(b, a)


def test_classify_never_better_than_the_floor() -> None:
    assert classify(100, assessed=N) is SUB
    assert classify(100, assessed=DBT) is DBT
    assert classify(0) is N


def test_labels() -> None:
    assert [c.label_zh for c in RiskClass] == ["正常", "关注", "次级", "可疑", "损失"]
    assert [c.value for c in RiskClass] == [
        "normal", "special_mention", "substandard", "doubtful", "loss"
    ]  # fmt: skip
    assert [c.non_performing for c in RiskClass] == [False, False, True, True, True]
