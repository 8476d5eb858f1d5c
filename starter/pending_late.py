"""A kept feedback or inquiry whose journey has ended by its delivery is taken as one typed
after the end is (workflows/late_feedback.py, `late_touchpoints.record_late_feedback` and
`record_late_inquiry`): the product takes what customers say after a journey's end, so the
end that came while no worker ran does not refuse it. The run that keeps it is started in its
typist's name, as a live delivery is sent (`typed_by`: who typed it, when, who delivered it)."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio.client import Client

from journey.inquiry_answer import ended_answer
from journey.settings import Settings
from journey.touchpoints import Feedback, Inquiry, late_touchpoints_id
from starter import late_touchpoints
from starter.connect import speaking_for
from starter.errors import Unfinished
from starter.pending_send import typed_by
from store.pending import Instruction

# the kept acts an ended journey takes after its end, each as late touchpoints are kept
AFTER_THE_END = {"record_feedback", "record_inquiry"}


async def taken_after_the_end(client: Client, settings: Settings, kept: Instruction,
                              request: BaseModel) -> str:
    """Keep `request`, the act `kept` whose journey has ended, as a late touchpoint; what
    became of it, for the pending list (an inquiry's answer for the customer). `Refused`, its
    attempt kept, when it cannot be taken after the end either (who typed it may not speak for
    the customer, feedback about a stage the journey never reached), saying why. A run started
    that does not finish in time has taken it (`Unfinished`): delivered, not sent again."""
    typist = await speaking_for(client, typed_by(kept))
    wid = kept.workflow_id
    try:
        if isinstance(request, Feedback):
            run = await late_touchpoints.record_late_feedback(typist, settings, wid, request)
            return f"{wid} had ended: the feedback is kept beside it as {run}"
        assert isinstance(request, Inquiry), f"{kept.update} is not taken after the end"
        ended = await late_touchpoints.record_late_inquiry(typist, settings, wid, request)
    except Unfinished as started:  # taken: delivered again, it would be kept twice
        return f"{wid} had ended: {started}"
    return f"{ended_answer(ended)} (the inquiry is kept as {late_touchpoints_id(wid)})"
