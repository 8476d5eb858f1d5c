"""Money going back to a payer goes back to the account it came from (退回原账户): the bank's
anti-money-laundering rule for a refund (money paid beyond a loan's whole plan) and a return
(money received and not booked). Paying it to another account is how funds are laundered
through a loan, so one entered to another account than the payment came from is refused, at
its entry and again at its confirmation, naming the account it goes back to. No override is
offered here: an account that can no longer take it (closed) is a case for the bank's
anti-money-laundering team, outside this engine. A payment that named no account (recorded
before repayments carried one, or sent by a system that does not send it) is entered as
typed, and its checker is told so, to check the account against the bank's books.

The entry keeps the payment and the account it was checked against (store/payer_outflows.py):
its confirmation checks that account, and, reading the payment again, refuses where it now
names another (`source_moved`): what is paid is what both people were shown."""

from __future__ import annotations

from journey.bank_accounts import account_masked, account_number
from journey.bank_reference import same_reference
from journey.status import JourneyStatus

# what the checker is told of a payment that named no payer's account
NOT_NAMED = ("the payment carried no payer's account (sent without one, or recorded before "
             "repayments named one): check the account against the bank's books")
# what the checker is told of one whose account the entry goes back to
SAME = "the account the payment came from (退回原账户)"


def came_from(s: JourneyStatus, payment: str) -> str | None:
    """The account journey `s`'s payment `payment` came from, as its repayment named it;
    None: it named none (or no such payment is recorded)."""
    paid = next((p for p in s.payments if same_reference(p.reference, payment)), None)
    return paid.from_account if paid is not None else None


def elsewhere(what: str, payment: str, source: str | None, account: str,
              workflow_id: str) -> str | None:
    """Why `what` (a refund, a return) to `account` of the money of `payment`, which came
    from `source`, is refused: another account than the money came from; None where it goes
    back there, or `source` is not known. The account is named by its first and last digits
    (`account_masked`): the refusal is kept, and `status` shows it whole."""
    if source is None or account_number(account) == source:
        return None
    return (f"payment {payment} came from account {account_masked(source)}: a {what} goes back "
            "to the account the money came from (退回原账户, the anti-money-laundering rule); "
            f"enter it with that account as --to-account (`loan-journey status {workflow_id}` "
            "shows it whole). An account that can no longer take it (closed) is no reason to "
            "pay another here: the bank's anti-money-laundering team decides where it goes")


def checker_said(source: str | None, account: str) -> str:
    """What the checker is told of the account an entry goes to, beside the payer's."""
    if source is None:
        return NOT_NAMED
    if account_number(account) == source:
        return SAME
    return (f"NOT the account the payment came from ({account_masked(source)}): cancel it "
            "(`pending cancel`)")


def source_moved(what: str, payment: str, kept: str | None, now: str | None) -> str | None:
    """Why a `what` (a refund, a return) entered against payment `payment`'s account `kept`
    (None: it named none), as its entry was checked, is not confirmed where the payment now
    says `now`: the account it goes back to would not be the one both people were shown;
    None where they agree."""
    if kept == now:
        return None
    return (f"payment {payment} now names {_named(now)}, not {_named(kept)} as this {what} "
            "was checked against at its entry: nothing is paid to an account its checker was "
            "not shown")


def _named(account: str | None) -> str:
    return f"account {account_masked(account)}" if account else "no payer's account"
