"""Updates from keyed senders only: a worker with the codec keys refuses, in validation, an
update whose sender did not hold them.

Why: the codec lets a payload that is not encrypted through (histories written before
encryption was switched on must still replay), so a plain update, sent by a client without the
keys (the plain `temporal` CLI, an SDK client without the codec), would be taken, and its
input (a reason, a comment typed with a customer's data) kept in plain text in an encrypted
history for good. A keyed client of the project's (starter/keyed_updates.py) signs every
update it sends in the `HEADER` header: an HMAC of the workflow id, the update's name and its
id under a key derived from the first codec key, with that key's id. This interceptor checks
it in every update's validator, through `CHECK`, a function the worker registers outside the
sandbox (the keys stay there), and refuses a missing or wrong one with `SENT_KEYLESS`, which
travels in plain text as every refusal does (starter/codec.py). A refused update never
reaches the history.

Validators run for new updates only, never on replay: histories from before are unchanged.
The SDK runs the interceptor's validator hook only for an update that has a validator; every
update of the journey has one (tests/e2e/test_keyed_updates.py checks each workflow the
worker runs). Signals cannot be refused: the journey's (a review's result, a borrower's
exposure risen or fallen, each sent by the bank's own workflows) are taken from any sender, a
limit docs/settings.md states. A worker without codec keys checks nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.worker import (
    HandleUpdateInput,
    Interceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

with workflow.unsafe.imports_passed_through():
    from journey.policy.errors import DecisionRefused

HEADER = "loan-journey-keyed"
CHECK = "loan_journey_keyed_sender"
SENT_KEYLESS = ("sent without the codec keys: use loan-journey with LOAN_JOURNEY_CODEC_KEYS "
                "set")
# (workflow id, update name, update id, headers) -> whether a keyed sender signed it
Check = Callable[[str, str, str, Mapping[str, Payload]], bool]


class _KeyedSendersInbound(WorkflowInboundInterceptor):
    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        check: Check = workflow.extern_functions()[CHECK]
        if not check(workflow.info().workflow_id, input.update, input.id, input.headers):
            raise DecisionRefused(SENT_KEYLESS)
        super().handle_update_validator(input)


class KeyedSendersOnly(Interceptor):
    """Worker interceptor: every update a workflow validates was signed by a keyed sender,
    as `check` (outside the sandbox, with the keys) finds."""

    def __init__(self, check: Check) -> None:
        self._check = check

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        input.unsafe_extern_functions[CHECK] = self._check
        return _KeyedSendersInbound
