"""The customer's request for feedback as they leave a stage they took part in, about applying
once applying is over (template `feedback_request`, workflows/touchpoints.py): which
application, which step in their words, and how to score it. One company may have several
applications at once.
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


def feedback_request(application: LoanApplication, stage: Stage) -> str:
    """The `feedback_request` body for `stage`."""
    step = _STEPS.get(stage, f"the {stage} stage")
    return (f"{your_application(application)}: how did {step} go for you? Score it 1 (poor) "
            "to 5 (very good).")
