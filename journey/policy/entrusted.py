"""Entrusted payment (受托支付): above which payout the bank pays the borrower's counterparty.

固定资产贷款管理办法 and 项目融资业务指引 have a single payment above 5,000,000 yuan paid by
the bank straight to the counterparty the borrower's commercial contract names (the supplier,
the contractor), never into the borrower's own account; 流动资金贷款管理办法 leaves the
working-capital figure to the bank, whose credit policy sets 10,000,000. At or below its
product's figure the borrower is paid and pays on itself (自主支付).

A policy pinned before 2026.12-6 has no `entrusted_payment`: its fixed-asset and
working-capital loans are paid to the borrower whatever the amount, and a project's drawdowns
keep the figure their plan had then (journey.drawdowns.ENTRUSTED_OVER).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from journey.application import Product
from journey.policy.amounts import Yuan
from journey.policy.sla import StageSla

OPERATIONS_TEAM = "operations"  # the team an entrusted payout waits on (its work list)


class EntrustedPaymentPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # a payout (a project's drawdown) above its product's figure is entrusted; a product
    # missing here is always paid to the borrower
    over: dict[Product, Yuan]
    # how long operations have to record the payment instruction once the loan is signed
    instruction_sla: StageSla | None = None
    note: str = ""  # whose figures these are: the regulator's or the bank's own


def entrusted(amount: Decimal, over: Decimal | None) -> bool:
    """Whether a payment of `amount` is entrusted under a threshold of `over` (None: no
    threshold, never): strictly above it, the bank pays the counterparty."""
    return over is not None and amount > over
