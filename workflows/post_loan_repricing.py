"""Repricing a floating-rate loan to the LPR on each anniversary of its value date.

The journey pins its policy, so a running loan learns a new fixing from the bank's record
of them (`loan-journey lpr record`), read by an activity on the repricing date; the rules
are journey/lpr.py's. The post-loan loop wakes on the date as it wakes on due dates, applies
every repricing whose day has come, records it (the account reprices its plan from it),
and tells the customer the new rate and the next instalment.
"""

from datetime import date, datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.actors import Actor, Role
    from journey.lpr import floats, rate_change, repricings_left
    from journey.post_loan_policy import start_of
    from workflows.class_judgements import ClassJudgements
    from workflows.lpr_fixing import read_fixing

# workflow.patched marker: before it, a floating-rate loan kept its offer's rate to the end.
LPR_REPRICING = "lpr-repricing"
REPRICING = Actor(id="lpr-repricing", role=Role.SYSTEM)


class Repricing(ClassJudgements):
    def _next_repricing(self) -> date | None:
        """The loan's next repricing date not applied yet, while it has instalments after
        it; None for a loan that does not float (journey/lpr.py) or has none left."""
        offer, start, account = self._offer, self.plan_start(), self.account()
        if offer is None or start is None or account is None or not floats(offer.rate_basis):
            return None
        left = repricings_left(start, offer.term_months, self._pl.rate_changes,
                               account.ends_on())
        return left[0] if left else None

    def repricing_wakeup(self, wake: datetime | None) -> datetime | None:
        """`wake`, or the start of the next repricing date when that comes first."""
        day = self._next_repricing()
        if day is None or not workflow.patched(LPR_REPRICING):
            return wake
        at = start_of(day, self.day_zone())
        return at if wake is None else min(wake, at)

    async def reprice(self) -> None:
        """Apply each repricing whose date has come, to the fixing in force that day."""
        while (day := self._next_repricing()) is not None and day <= self.today():
            if not workflow.patched(LPR_REPRICING):
                return
            fixing = await read_fixing(day)
            assert self._offer is not None and self._offer.rate_basis is not None
            rate_now = self.annual_rate()
            assert rate_now is not None
            change = rate_change(self._offer.rate_basis, rate_now, day, fixing)
            self._pl.rate_changes.append(change)
            self.record_decision(REPRICING, "repriced", f"rate {change.describe()}")
            account = self.account()
            assert account is not None
            await self.notify(
                f"{self._workflow_id}:repriced:{day}", "customer", "rate_repriced",
                f"your loan's rate is {change.describe()}; the next instalment is "
                f"{account.next_instalment()}",
            )
