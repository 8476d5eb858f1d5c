"""The offer's notice to the customer (template `offer_ready`): the offer in the customer's
words, what they sign. The offer stage (workflows/loan_journey.py `offer`) queues it: the
amount, product, rate and how it was set, term, repayment, the first instalment, the
covenants to keep (and which of them the statements on file already breach, so that the
customer signs knowing it), the fees, until when it can be signed and how. No grade, no staff
ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from journey.application import LoanApplication, Product
from journey.documents import DocumentKind, FinancialStatement
from journey.drawdowns import DrawdownPlan, Tranche
from journey.lpr import HELD_FOR_THE_TERM, reprices_within
from journey.policy.entrusted import entrusted
from journey.policy.pricing import RateBasis, spread_text
from journey.post_loan_covenants import Covenant, CovenantCheck
from journey.post_loan_policy import PrepaymentFee
from journey.repayment import RepaymentMethod, add_months, money
from journey.status import Offer

_RATIOS = {  # (what the ratio is, shown as a percentage)
    "debt_to_asset": ("total debt to total assets", True),
    "current_ratio": ("current assets to current liabilities", False),
    "net_margin": ("net profit to revenue", True),
    "revenue_growth": ("revenue growth over the year before", True),
    "dscr": ("cash available for debt service to the debt service due", False),
}
_ON_THE_BALANCE_SHEET = frozenset({"debt_to_asset", "current_ratio"})  # else income statements
_METHODS = {
    RepaymentMethod.EQUAL_INSTALMENT: "equal instalments of principal and interest",
    RepaymentMethod.EQUAL_PRINCIPAL: "equal parts of principal, with the interest on what "
                                     "is left",
}


def offer_notice(application: LoanApplication, offer: Offer, deadline: str,
                 prepayment_fee: PrepaymentFee, commitment_fee: Decimal,
                 entrusted_over: Decimal | None = None, drawdowns: DrawdownPlan | None = None,
                 today: date | None = None, breached: Sequence[CovenantCheck] = (),
                 statements: Sequence[FinancialStatement] = ()) -> str:
    """The `offer_ready` notice's body: `deadline`, the offer's expiry by the bank's clock;
    the fees, the post-loan policy's prepayment fee and the pricing's commitment fee (a
    project's, on what it leaves undrawn while it draws); `entrusted_over`, the pinned
    policy's figure of entrusted payment (受托支付) for the product (None: none), above which
    the payout (a project's drawdown) goes to the counterparties of the borrower's contracts;
    `drawdowns`, a project's plan as signing opens it on `today`, the bank's day: its
    availability period, tranches, caps and conditions precedent, and its grace period;
    `breached`, the offer's covenants that `statements`, those on file, already breach: each
    is told with the figure and the period it is of, and what the breach means after the
    payout."""
    product = application.product.value.replace("_", " ")
    lines = [
        f"Your application {application.application_id}: the bank offers a {product} loan "
        f"of {money(application.amount)} for {offer.term_months} months.",
        f"Interest rate: {offer.annual_rate:.2%} a year"
        f"{_basis(offer.rate_basis, offer.term_months)}.",
        f"Repayment: {offer.frequency}, in {_METHODS[offer.method]}.",
    ]
    project = application.product is Product.PROJECT_FINANCE
    if project and drawdowns is not None and today is not None:
        lines.extend(_drawing(drawdowns, today))
    elif project:
        lines.append("Drawn in tranches as the project's milestones are met; the repayment "
                     "plan runs from when drawdowns close, and you are told its first due "
                     "date then.")
    elif offer.schedule:
        first = offer.schedule[0]
        lines.append(f"First instalment: {money(first.payment)}, due on {first.due_on} if the "
                     "loan is paid out today; the plan runs from the day it is paid out, "
                     "and you are told its first due date then.")
    if entrusted_over is not None and project:
        lines.append(f"Entrusted payment (受托支付): a drawdown above {money(entrusted_over)} "
                     "is paid not into your account but to the counterparty of the contract "
                     "it pays for; name the counterparty (its name, account and bank) and "
                     "the contract in the drawdown request.")
    elif entrusted(application.amount, entrusted_over):
        lines.append(f"Paid by entrusted payment (受托支付): as the loan is above "
                     f"{money(entrusted_over or 0)}, the bank pays it not into your account "
                     "but to the counterparties of your commercial contracts (your suppliers "
                     "or contractors). Before the payout, hand your relationship manager the "
                     "contracts it pays for, with each counterparty's name, account and bank "
                     "and the amount it is paid.")
    lines.append(f"Covenants to keep: {_covenants(offer.covenants, breached, statements)}.")
    if breached:
        lines.append("The bank offers the loan knowing your statements already breach "
                     f"{'this covenant' if len(breached) == 1 else 'these covenants'}: from "
                     "the payout the bank follows the breach as an early warning and classes "
                     "the loan special mention (关注), until newer statements show the covenant "
                     "kept and your instalments are paid on time.")
    lines.append(f"Fees: {_fees(prepayment_fee, commitment_fee if project else Decimal(0))}.")
    lines.append(
        f"The offer can be signed until {deadline}. To accept it, sign it as "
        f"{application.applicant_name} (credit code {application.credit_code}) in the bank's "
        "app, on its web site or with your relationship manager; unsigned by then, it expires.")
    return "\n".join(lines)


def _drawing(plan: DrawdownPlan, today: date) -> list[str]:
    """How a project draws, in the customer's words: until when, each tranche with its cap
    and milestone, what each drawdown must show, and when repayment begins."""
    until = add_months(today, plan.availability_months)
    grace = (f", its first {plan.grace_months} months interest only (the grace period)"
             if plan.grace_months else "")
    return [
        "Drawn in tranches as the project's milestones are met, within an availability "
        f"period of {plan.availability_months} months from your signature (to {until} if "
        "signed today); what is not drawn by then is cancelled. The repayment plan runs "
        f"from when drawdowns close{grace}, and you are told its first due date then.",
        "Tranches: " + "; ".join(f"{t.id} up to {money(t.cap)}, once {t.milestone}"
                                 for t in plan.tranches) + ".",
        "Each drawdown is paid once its conditions precedent are met: "
        + "; ".join(f"{t.id}: {_conditions(t)}" for t in plan.tranches) + ".",
    ]


def _conditions(tranche: Tranche) -> str:
    """What a drawdown of `tranche` must show: its documents, then its checks."""
    checks = [f"a projected debt service coverage ratio (DSCR) of at least {c.floor}"
              if c.kind == "min_dscr" else "no event of default (no arrears, no early warning)"
              for c in tranche.checks]
    return ", ".join([*(d.replace("_", " ") for d in tranche.documents), *checks])


def _basis(basis: RateBasis | None, term_months: int) -> str:
    if basis is None:
        return ""
    base = f"the {basis.base} of {basis.base_rate:.2%}"
    if basis.fixed_on is not None:
        base += f" (published {basis.fixed_on})"
    if basis.agreed:
        return f", as agreed in your application: {base} {spread_text(basis.spread)}, fixed"
    if not reprices_within(term_months):
        return f": {base} {spread_text(basis.spread)}, {HELD_FOR_THE_TERM}"
    return (f": {base} {spread_text(basis.spread)}, reset to the {basis.base} then in force "
            "on each anniversary of the payout")


def _covenants(covenants: list[Covenant] | None, breached: Sequence[CovenantCheck],
               statements: Sequence[FinancialStatement]) -> str:
    if covenants is None:
        return "those of the bank's post-loan policy"
    figures = {b.covenant.id: b.value for b in breached if b.value is not None}
    return "; ".join(_covenant(c) + _breach(c, figures.get(c.id), statements)
                     for c in covenants) or "none"


def _covenant(c: Covenant) -> str:
    what, percent = _RATIOS[c.ratio]
    limit = f"{c.limit:.0%}" if percent else f"{c.limit} times"
    return f"{what} {'at most' if c.bound == 'max' else 'at least'} {limit}"


def _breach(c: Covenant, value: Decimal | None,
            statements: Sequence[FinancialStatement]) -> str:
    """`c` breached by `value` on file: the figure, of which period, and which side of the
    limit it is; "" when not breached."""
    if value is None:
        return ""
    kind = (DocumentKind.BALANCE_SHEET if c.ratio in _ON_THE_BALANCE_SHEET
            else DocumentKind.INCOME_STATEMENT)
    ends = [s.period_end for s in statements if s.kind is kind and s.period_end is not None]
    of = f"of the period ending {max(ends)}" if ends else "on file"
    side = "above" if c.bound == "max" else "below"
    return f" (your statements {of} show {_figure(c, value)}: {side} it)"


def _figure(c: Covenant, value: Decimal) -> str:
    """`value` of `c`'s ratio as the limit is shown, to as many places as tell it apart."""
    percent = _RATIOS[c.ratio][1]
    scale = 100 if percent else 1
    for places in (Decimal("0.01"), Decimal("0.0001")):
        shown = (value * scale).quantize(places)
        if shown != c.limit * scale:
            break
    return f"{shown}%" if percent else f"{shown} times"


def _fees(prepayment: PrepaymentFee, commitment: Decimal) -> str:
    fees = []
    if commitment:
        fees.append(f"a commitment fee of {commitment:.2%} a year on what is not drawn yet, "
                    "charged quarterly with the interest")
    if prepayment.rate:
        within = (f" within {prepayment.months} months of the payout" if prepayment.months
                  else "")
        fees.append(f"repaying principal ahead of the plan{within} costs {prepayment.rate:.2%} "
                    "of what is repaid ahead")
    elif fees:  # named, as the commitment fee is: no fee to repay ahead
        fees.append("no prepayment fee: repaying principal ahead of the plan costs nothing "
                    "beyond the interest to that day")
    return "; ".join(fees) or "none"
