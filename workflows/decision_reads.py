"""The task queue of the reads a decision's answer waits for (journey/contracts.py
DECISION_READS): the approver's authority on the exposure as the approval would settle, the
LPR fixing the offer is priced on."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import contracts

# workflow.patched marker: before it, these reads were scheduled on the journey's own task
# queue, behind other journeys' writes, notices and bookings (at twenty journeys at once on
# two cores an approval's answer took about 0.6 s at p95 for it); since, on its decisions
# queue, with slots of its own.
DECISION_READS_APART = "decision-reads-apart"


def decisions_queue() -> str | None:
    """The journey's decisions queue; None (its own queue) in histories from before."""
    if not workflow.patched(DECISION_READS_APART):
        return None
    return contracts.decisions_queue(workflow.info().task_queue)
