"""An offer's terms in words: how its rate was set, the rate now, its covenants."""

from __future__ import annotations

from rich.markup import escape

from journey.lpr import HELD_FOR_THE_TERM, floats, reprices_within
from journey.policy.pricing import spread_text
from journey.status import JourneyStatus, Offer
from starter.bank_clock import when


def covenant_terms(offer: Offer) -> str:
    if offer.covenants is None:
        return "the post-loan policy's defaults (offered before covenants were loan terms)"
    return "; ".join(c.describe() for c in offer.covenants) or "none"


def signature(s: JourneyStatus) -> str | None:
    """The offer's signature: for whom, when, who signed it and on what evidence; None
    before it is signed."""
    signed = next((d for d in reversed(s.decisions) if d.verdict == "signed"), None)
    if signed is None:
        return None
    return (f"for {signed.actor.id} at {when(s, signed.at)}: "
            + (signed.reason or "who signed and the evidence not recorded (signed before "
                                 "they were asked)"))


def rate_basis(offer: Offer) -> str:
    """" (1y LPR 3.10% + 0.75%)", " (1y LPR 3.00% of 2026-11-20 + 0.75%)": how the offered
    rate was set (over the pinned policy's LPR, or a recorded fixing), when the offer kept it."""
    b = offer.rate_basis
    if b is None:
        return ""
    agreed = ", agreed in the application" if b.agreed else ""
    fixing = f" of {b.fixed_on}" if b.fixed_on else ""
    return f" ({escape(b.base)} {b.base_rate:.2%}{fixing} {spread_text(b.spread)}{agreed})"


def rate_now(offer: Offer, s: JourneyStatus) -> str:
    """The loan's rate as it stands: the last repricing's, or the offer's, fixed or floating."""
    if s.rate_changes:
        return s.rate_changes[-1].describe()
    if floats(offer.rate_basis):
        assert offer.rate_basis is not None
        over = f"the {offer.rate_basis.base} {spread_text(offer.rate_basis.spread)}"
        if not reprices_within(offer.term_months):  # as the offer notice told the customer
            return f"{offer.annual_rate:.2%}, {over} fixed {HELD_FOR_THE_TERM}"
        return (f"{offer.annual_rate:.2%}, floating: repriced to {over} on each anniversary "
                "of the payout")
    return f"{offer.annual_rate:.2%}, fixed for the term"
