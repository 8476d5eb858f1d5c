"""Who typed a kept act, checked when it is typed, as far as it can be without its journey.

An act kept while no worker answers (starter/pending.py) reaches the journey's validator only
at delivery. What that validator would say of the typist's role, the command line can say at
once: the same rule (journey/policy/authority.py) against the staff directory of the policy a
worker pins now. A typist it refuses is refused as the journey refuses (exit 3, the attempt kept
for auditors) and nothing is kept: staff of a role the act does not take, and staff of the
directory typing with `--role customer`, who are not the borrower, and a repayment typed by
anyone but operations (else, refused at delivery, it is money received and not booked, and
two operations people must return it); what only the
journey knows (the borrower's id, the case's own manager, where the journey stands) is still
checked at delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from pydantic import BaseModel

from journey.actors import Actor
from journey.policy import DecisionRefused, Policy, PolicyError
from journey.policy.authority import (
    authorize_customer_voice_typist,
    authorize_receipt,
    authorize_staff_for_customer,
)
from journey.settings import Settings
from starter.act_words import act_words
from starter.errors import Refused
from starter.pending_send import DOCUMENTS
from starter.pinned_policy import attempt, current_policy

log = logging.getLogger(__name__)

# the part of each act's validator that needs no journey: who may type it for the customer,
# and who records money received (one the journey refuses at delivery is kept as money
# received and not booked, for two operations people to return)
TYPIST_RULES: dict[str, Callable[[Policy, Actor], object]] = {
    DOCUMENTS: authorize_staff_for_customer,
    "record_inquiry": authorize_staff_for_customer,
    "answer_question": authorize_customer_voice_typist,  # the customer's word: its manager
    "request_drawdown": authorize_staff_for_customer,
    "record_feedback": authorize_customer_voice_typist,
    "record_repayment": authorize_receipt,
}


def typist_allowed(settings: Settings, workflow_id: str, update: str,
                   request: BaseModel) -> None:
    """`Refused`, as a journey's refusal of `update` reads, if its typist may not send it by
    `TYPIST_RULES`; a policy file that cannot be read leaves the check to the delivery (the
    act is kept all the same: nothing typed is lost for it)."""
    rule, actor = TYPIST_RULES.get(update), getattr(request, "actor", None)
    if rule is None or actor is None:
        return
    try:
        policy = current_policy(settings)
    except (OSError, PolicyError) as err:
        log.warning("the typist of %s on %s is not checked before it is kept (%s): the "
                    "journey checks it at delivery", update, workflow_id, err)
        return
    try:
        rule(policy, actor)
    except DecisionRefused as err:
        why = str(err)
        raise Refused(f"{act_words(update)} refused: {why}",
                      attempt(workflow_id, update, actor, why)) from err
