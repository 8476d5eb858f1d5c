"""Reminders before a payment falls due and notices once it is past due, idempotent by key
in the outbox: the loan's instalments (post-loan) and a project's quarterly interest while
it draws (workflows/drawdowns.py), by the same post-loan policy."""

from dataclasses import dataclass

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.loan_account import Account
    from journey.post_loan_policy import PostLoanPolicy
    from journey.post_loan_wakeups import overdue_notices_due, reminders_due
    from workflows.post_loan_warnings import EarlyWarnings


@dataclass(frozen=True)
class Notices:
    """What one kind of payment's notices are called: their outbox keys and templates."""

    what: str  # "instalment"
    key: str = ""  # between the journey id and "reminder:<number>"
    template: str = "repayment"  # "<template>_reminder", "<template>_overdue"


INSTALMENTS = Notices(what="instalment")


class PaymentNotices(EarlyWarnings):
    async def _remind(self, account: Account, reminded: list[int], noticed: list[int],
                      notices: Notices = INSTALMENTS, parts: dict[int, str] | None = None
                      ) -> None:
        """Remind of what falls due (`reminded` remembers whom), and tell of what is past
        due (`noticed`); `parts`, what each instalment (by number) is made of, for people."""
        parts = parts or {}
        policy = self._policy_pl()
        for due in reminders_due(account, policy, reminded, workflow.now(), self.day_zone()):
            await self.notify(
                f"{self._workflow_id}:{notices.key}reminder:{due.number}",
                "customer",
                f"{notices.template}_reminder",
                f"{notices.what} {due.number}: {due.outstanding} due on {due.due_on}"
                + parts.get(due.number, ""),
                policy.reminder_channel,
            )
            reminded.append(due.number)
        if not policy.overdue_notice:
            return
        for late in overdue_notices_due(account, noticed, self.today()):
            await self.notify(
                f"{self._workflow_id}:{notices.key}overdue:{late.number}",
                "customer",
                f"{notices.template}_overdue",
                f"{notices.what} {late.number}: {late.outstanding} was due on {late.due_on}"
                + parts.get(late.number, ""),
                policy.reminder_channel,
            )
            noticed.append(late.number)

    def _policy_pl(self) -> PostLoanPolicy:
        assert self._pl_policy is not None, "the post-loan policy is loaded on entry"
        return self._pl_policy
