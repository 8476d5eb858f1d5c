"""What a customer owes, in a few words, for the work list of the cases waiting on customers
(`queue --waiting-on customer`): the documents missing or unreadable by file name, the other
checks the file fails, the question a decider asked; so staff know what to chase without
opening each case's `status`, which says it all in full."""

from __future__ import annotations

from journey.stages import Stage
from journey.status import JourneyStatus

QUESTION_WORDS = 60  # characters of a decider's question the list shows


def owed_in_words(s: JourneyStatus) -> str | None:
    """What the customer of `s` owes now; None where it waits on no customer's act."""
    if s.stage is Stage.OFFER:
        return "the offer's signature"
    if s.stage is not Stage.COMPLETENESS:
        return None
    said: list[str] = []
    if s.awaited and s.asked:
        said.append(f"asked: {_cut(s.asked, QUESTION_WORDS)}")
    checked = s.completeness
    if checked is not None and not checked.complete:
        named = {r.ref.sha256: r.ref.filename for r in s.readings}
        if checked.missing:
            said.append("missing " + ", ".join(k.replace("_", " ") for k in checked.missing))
        unreadable = [named.get(f.document, "a document") for f in checked.failures
                      if f.code == "unreadable" and f.document]
        if unreadable:
            said.append("unreadable " + ", ".join(unreadable))
        other = dict.fromkeys(f.code.replace("_", " ") for f in checked.failures
                              if f.code not in ("missing", "unreadable"))
        said.extend(other)
    return "; ".join(said) or None


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most - 1].rstrip() + "…"
