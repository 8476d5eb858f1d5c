"""The five-tier loan risk classification (贷款五级分类) and its days-past-due floors.

Floors, after the 2023 rules for commercial banks' financial-asset risk classification:
any amount past due (dpd > 0) is at least special mention; more than 90 days at least
substandard; more than 270 days at least doubtful; more than 360 days loss. The floor is a
minimum: a credit officer may classify worse, never better (`classify`).

Downgrades take effect at once; an upgrade only after an observation period: a number of
consecutive instalments paid on time since the last downgrade (`reclassify`), and out of
non-performing at least two repayment periods and six months, whichever is longer
(`instalments_to_upgrade`).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class RiskClass(StrEnum):
    NORMAL = "normal"
    SPECIAL_MENTION = "special_mention"
    SUBSTANDARD = "substandard"
    DOUBTFUL = "doubtful"
    LOSS = "loss"

    @classmethod
    def named(cls, name: str) -> RiskClass:
        """The class by either of its names, "special_mention" or "关注"."""
        found = next((c for c in cls if name.strip().lower() in (c.value, c.label_zh)), None)
        if found is None:
            raise ValueError(f"{name!r} is no class: give one of "
                             + ", ".join(f"{c.value} ({c.label_zh})" for c in cls))
        return found

    @property
    def label_zh(self) -> str:
        return _ZH[self]

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    @property
    def non_performing(self) -> bool:
        """Substandard, doubtful and loss are non-performing loans (不良贷款)."""
        return self.rank >= RiskClass.SUBSTANDARD.rank


_ORDER = tuple(RiskClass)
_ZH = {
    RiskClass.NORMAL: "正常",
    RiskClass.SPECIAL_MENTION: "关注",
    RiskClass.SUBSTANDARD: "次级",
    RiskClass.DOUBTFUL: "可疑",
    RiskClass.LOSS: "损失",
}
# (more than this many days past due, at least this class), worst first
FLOORS: tuple[tuple[int, RiskClass], ...] = (
    (360, RiskClass.LOSS),
    (270, RiskClass.DOUBTFUL),
    (90, RiskClass.SUBSTANDARD),
    (0, RiskClass.SPECIAL_MENTION),
)


def floor_by_days_past_due(dpd: int) -> RiskClass:
    if dpd < 0:
        raise ValueError(f"days past due {dpd} must not be negative")
    return next((cls for days, cls in FLOORS if dpd > days), RiskClass.NORMAL)


def worse(a: RiskClass, b: RiskClass) -> RiskClass:
    return a if a.rank >= b.rank else b


def classify(dpd: int, assessed: RiskClass | None = None) -> RiskClass:
    """The assessed class, but never better than the days-past-due floor."""
    floor = floor_by_days_past_due(dpd)
    return floor if assessed is None else worse(floor, assessed)


class Classification(BaseModel):
    risk_class: RiskClass
    reason: str


def instalments_to_upgrade(current: RiskClass, needed: int, period_months: int) -> int:
    """Consecutive instalments paid on time an upgrade from `current` needs: the policy's
    `needed`; out of non-performing, at least those of two repayment periods and of six
    months, whichever is longer (the 2023 rules)."""
    if not current.non_performing:
        return needed
    return max(needed, 2, -(-6 // period_months))


def reclassify(
    current: RiskClass, dpd: int, assessed: RiskClass, on_time: int, needed: int,
    reviewed: bool = True, on_file: str = "",
) -> Classification:
    """The class after a change in days past due or in a review's judgement (`assessed`;
    `reviewed` False: no review has run yet, and `on_file`, when given, is what judged it
    until then: the covenant breaches on file the payout carried).

    Worse at once; better only once `on_time` (consecutive instalments paid on time since the
    last downgrade) reaches `needed`, else the current class is held."""
    target = classify(dpd, assessed)
    if reviewed:
        judged = f"last review assessed {assessed.label_zh}"
    else:
        judged = f"{on_file}, no review yet" if on_file else "no review yet"
    basis = f"{dpd} days past due (floor {floor_by_days_past_due(dpd).label_zh}), {judged}"
    if target.rank >= current.rank:
        return Classification(risk_class=target, reason=f"{_named(target)}: {basis}")
    if on_time >= needed:
        observed = (
            f"; {on_time} consecutive instalments paid on time (observation period {needed})"
            if needed else ""
        )
        return Classification(
            risk_class=target,
            reason=f"{_named(target)}, upgraded from {_named(current)}: {basis}{observed}",
        )
    return Classification(
        risk_class=current,
        reason=f"{_named(current)} held in observation: {basis} would allow {_named(target)}, "
        f"once {needed} consecutive instalments are paid on time since the downgrade "
        f"({on_time} so far)",
    )


def _named(cls: RiskClass) -> str:
    return f"{cls.value} ({cls.label_zh})"
