"""What the customer is told of their documents, in their words: that the application has
come and its documents are being read (`application_received`, at intake); of a round of
requests at completeness, what the bank asks for, for which application, by when and how to
send it (`supplements_requested`), and, once what they sent completes the file, that it has
come and where the application goes (`supplements_met`). The journey's intake and
completeness stages (workflows/loan_journey.py) queue them; the request's expiry says what
did not come (journey/end_notices.py `not_done_by`).
"""

from __future__ import annotations

from journey.application import LoanApplication
from journey.end_notices import your_application
from journey.stages import Stage

_GOES_ON_TO = {
    Stage.ROUTING: "the bank's credit review",
    Stage.RISK_REVIEW: "the bank's credit risk review",
    Stage.APPROVAL: "the bank's credit approval",
}


def application_received(application: LoanApplication) -> str:
    """The first notice: the application has come and its documents are read; what is
    missing or unreadable is asked for as soon as the file is checked."""
    return (f"{your_application(application)} has been received. We are reading your "
            "documents; if anything is missing or cannot be read, we will tell you what to "
            "send.")


def supplements_requested(application: LoanApplication, items: list[str],
                          until: str | None) -> str:
    """The request's body: `items`, what is asked (customer words), one a line; `until`,
    when the round expires on the bank's clock (None: it does not)."""
    by = (f" by {until}; if it has not all come by then, the application expires" if until
          else "")
    return "\n".join([
        f"{your_application(application)}: the bank asks you for",
        *(f"- {item}" for item in items),
        "Send it in the bank's app, on its web site or with your relationship manager"
        f"{by}."])


def supplements_received(application: LoanApplication, returns_to: Stage) -> str:
    """The customer's documents (or answer) completed the file: nothing more to send, and
    where the application goes on to."""
    return (f"{your_application(application)}: we have received what we asked you for, and "
            f"your file is complete; the application goes on to "
            f"{_GOES_ON_TO.get(returns_to, 'the bank')}. You need send nothing more; we will "
            "tell you when there is news of your application.")
