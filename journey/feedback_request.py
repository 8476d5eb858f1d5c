"""The customer's request for feedback about a step they took part in, once it is over
(template `feedback_request`, workflows/touchpoints.py): which application, which step in
their words, and how to score it. One company may have several applications at once.
"""

from __future__ import annotations

from journey.application import LoanApplication
from journey.end_notices import your_application
from journey.stages import Stage

_STEPS = {
    Stage.INTAKE: "applying",
    Stage.DOCUMENTS: "sending your documents",
    Stage.COMPLETENESS: "sending the documents the bank asked for",
    Stage.OFFER: "the loan offer and its signing",
}


# what a survey asks about: sending documents, at first or as the bank asked for more, is one
# touchpoint, asked about once per journey (workflows/touchpoints.py SURVEYS_PACED)
TOUCHPOINTS = {
    Stage.INTAKE: "applying",
    Stage.DOCUMENTS: "documents",
    Stage.COMPLETENESS: "documents",
    Stage.OFFER: "the offer",
}


def feedback_request(application: LoanApplication, stage: Stage) -> str:
    """The `feedback_request` body for `stage`."""
    step = _STEPS.get(stage, f"the {stage} stage")
    return (f"{your_application(application)}: how did {step} go for you? Score it 1 (poor) "
            "to 5 (very good).")
