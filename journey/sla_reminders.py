"""The reminders an SLA's escalation sends (templates `sla_notify_customer`,
`sla_remind_owner`; when it reassigns the case, `sla_reassign_supervisor` to the supervisor and
`sla_reassigned_from` to whom it was taken from), in words: the customer's says which
application waits on them, for what, by when and how to send it, or, at a stage that waits on
the bank, that it takes longer than the bank aims for; its owner's says the same in staff
words (workflows/bookkeeping.py `_escalate`, markers `sla-reminders-in-words` and
`sla-reassignment-told`). No staff ids, grades or SLA levels for the customer.
"""

from __future__ import annotations

from journey.application import LoanApplication
from journey.end_notices import your_application
from journey.policy.sla import StageSla, Unit
from journey.stages import Stage

# how the customer sends what is asked, or signs
_HOW = "in the bank's app, on its web site or with your relationship manager"
_AT_THE_BANK = {
    Stage.RISK_REVIEW: "the bank's credit risk review",
    Stage.APPROVAL: "the bank's credit approval",
    Stage.DISBURSEMENT: "the loan's payout",
}


def customer_reminder(stage: Stage, application: LoanApplication, awaited: str,
                      until: str | None) -> str:
    """The customer's reminder at `stage`: `awaited`, what the bank asked for (customer
    words, at completeness); `until`, when the request or the offer expires (the bank's
    clock; None: it does not)."""
    yours = your_application(application)
    if stage is Stage.COMPLETENESS:
        asked = f": {awaited}" if awaited else ""
        by = (f" by {until}; if it has not come by then, the application expires" if until
              else " as soon as you can")
        return (f"{yours} still waits for what the bank asked you for{asked}. Please send it "
                f"{_HOW}{by}.")
    if stage is Stage.OFFER:
        by = f" by {until}; unsigned by then, it expires" if until else ""
        return (f"{yours}: the bank's loan offer still waits for your signature. To accept "
                f"it, sign it as {application.applicant_name} (credit code "
                f"{application.credit_code}) {_HOW}{by}.")
    at = _AT_THE_BANK.get(stage, "the bank")
    return (f"{yours} is taking longer than the bank aims for at {at}. You need do nothing "
            "for now: we will tell you when there is news of it, and your relationship "
            "manager can tell you more.")


def owner_reminder(stage: Stage, application: LoanApplication, workflow_id: str, level: int,
                   awaited: str, until: str | None) -> str:
    """The reminder to the case's owner at `stage` (escalation `level`): the case, what it
    waits for and by when, in staff words."""
    case = (f"{workflow_id} ({application.applicant_name}, credit code "
            f"{application.credit_code}, application {application.application_id}) is past "
            f"its time limit at {stage} (escalation level {level})")
    expires = f"; it expires at {until}" if until else ""
    if stage is Stage.COMPLETENESS:
        return (f"{case}: the customer has not sent what they were asked for"
                f"{': ' + awaited if awaited else ''}{expires}. Contact the customer.")
    if stage is Stage.OFFER:
        return f"{case}: the customer has not signed the offer{expires}. Contact the customer."
    return f"{case}: it waits for {awaited or 'a decision'}."


def reassigned_notices(stage: Stage, application: LoanApplication, workflow_id: str,
                       level: int, sla: StageSla | None, to: str, taken_from: str,
                       awaited: str) -> tuple[str, str]:
    """What an escalation that reassigns the case at `stage` (level `level`, of the stage's
    `sla`) tells `to`, the supervisor it is now assigned to, and `taken_from`, whom it was
    assigned to (an officer, or the team's queue): the case, why, and what it waits for."""
    limit = f" of {time_limit(sla)}" if sla is not None else ""
    case = (f"{workflow_id} ({application.applicant_name}, credit code "
            f"{application.credit_code}, application {application.application_id}) is past "
            f"its time limit{limit} at {stage}: SLA escalation level {level} reassigned it")
    return (f"{case} to you, taken from {taken_from}; it waits for "
            f"{awaited or 'a decision'}.",
            f"{case} to supervisor {to}: they decide it now; hand them what you have on it.")


def time_limit(sla: StageSla) -> str:
    """`sla`'s target as it counts: "24 working hours", "20 working days", "5 days"."""
    seconds = sla.target.total_seconds()
    if sla.unit is Unit.BUSINESS:
        return f"{seconds / 3600:g} working hours"
    if sla.unit is Unit.BUSINESS_DAYS:
        return f"{seconds / 86400:g} working days"
    return f"{seconds / 86400:g} days" if seconds % 86400 == 0 else f"{seconds / 3600:g} hours"
