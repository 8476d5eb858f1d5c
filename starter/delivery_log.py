"""What a delivery of pending instructions settled, logged; and the delivery a worker makes
as it starts."""

from __future__ import annotations

import logging

from temporalio.client import Client

from journey.settings import Settings
from starter.errors import KeysNeeded
from starter.pending_delivery import DeliveryRun, deliver
from store.pending import Delivery

log = logging.getLogger("starter.pending")  # the name workers have logged deliveries under


async def deliver_on_start(client: Client, settings: Settings) -> None:
    """A worker of the journeys, once it polls, delivers what was kept while none ran; what
    it cannot deliver stays pending, and is logged, never ending the worker."""
    try:
        done = await deliver(client, settings)
    except KeysNeeded as err:  # the worker's archive key: said, the instructions stay kept
        log.error("pending instructions not delivered: %s", err)
        return
    except Exception:  # noqa: BLE001 - the worker runs on; the instructions stay kept
        log.exception("pending instructions not delivered: `loan-journey pending deliver`")
        return
    log_delivery(done)
    if done.stopped:
        log.warning("pending instructions: %s", done.stopped)


# how loud a delivery's outcome is logged: money received needs someone; an act refused was
# not taken, and its typist must act again (as a vote taken that does not count); what was
# taken is news only
LOUDNESS = {Delivery.UNBOOKED: logging.ERROR, Delivery.REFUSED: logging.WARNING}


def log_delivery(done: DeliveryRun) -> None:
    """Log what a delivery settled (on a command line's stderr too, from warnings up): a
    repayment left unbooked as an error, an act refused or a vote that does not count as a
    warning with who typed it."""
    for kept in done.settled:
        log.log(logging.WARNING if kept in done.not_counted
                else LOUDNESS.get(kept.state, logging.INFO),
                "pending instruction %s (%s on %s, typed by %s as %s) %s: %s", kept.id,
                kept.update, kept.workflow_id, kept.actor, kept.role, kept.state,
                kept.outcome)
