"""How the journey retries its reads and checks (a document's OCR, the policy, completeness,
routing, the review schedule): until they succeed, since the marker below.

No `from __future__ import annotations`: imported by workflow definitions, kept plain for
the sandbox.
"""

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.activity_options import IO_RETRY, UNTIL_READ_RETRY

# workflow.patched marker: before it, these gave up after IO_RETRY's 10 attempts and the
# journey FAILED with them (a keyless reader left running after encryption was turned on
# failed every encrypted journey at documents); since, they retry until they succeed, the
# last error on the journey's pending activity. A retry policy is not part of what a replay
# compares; the marker says in the history which one a run goes by.
IO_UNTIL_DONE = "io-until-done"


def io_retry() -> RetryPolicy:
    """The retry policy of the journey's reads and checks: UNTIL_READ_RETRY, or IO_RETRY in
    runs from before the marker."""
    return UNTIL_READ_RETRY if workflow.patched(IO_UNTIL_DONE) else IO_RETRY
