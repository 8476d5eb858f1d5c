"""The report's "waiting on whom": the bank's waits per team and per person who held them
(store/holders.py), as the terminal and the HTML journey map show them."""

from __future__ import annotations

import html

from rich.table import Table

from store.report_models import ALL_HOLDERS, UNASSIGNED, Holder, JourneyReport, human

TITLE = "Waiting on whom: the bank's waits per team and the person who held them"
MEANS = (
    "A wait is the team's its stage was queued to, cut where it was handed over (assigned to an "
    "officer, or by an SLA escalation to the supervisor): each part is the person's who held it "
    "then, the last one of a wait the bank decided the decider's; "
    f"{UNASSIGNED} where the rows do not say: older rows without the team, the queue's part "
    "before any handover, a wait open and assigned to nobody, and waits that ended without the "
    "bank's decision (withdrawn, expired, ended outside). A person's waits are the parts they "
    "held. Open waits count to the report's time; share is of the bank's wait of these journeys."
)
_HEAD = ("team", "person", "cases", "waits", "total", "median", "share")


def _cells(h: Holder) -> tuple[str, ...]:
    return (
        h.team if h.person == ALL_HOLDERS else "",
        "all" if h.person == ALL_HOLDERS else h.person,
        str(h.cases),
        str(h.waits),
        human(h.total_seconds),
        human(h.median_seconds),
        "-" if h.share is None else f"{h.share:.0%}",
    )


def whom_table(r: JourneyReport) -> Table:
    t = Table(title=TITLE)
    for col in _HEAD:
        t.add_column(col, no_wrap=col in ("team", "person"),
                     justify="left" if col in ("team", "person") else "right")
    for h in r.waiting_on_whom:
        t.add_row(*_cells(h), style="bold" if h.person == ALL_HOLDERS else None)
    return t


def whom_html(r: JourneyReport) -> str:
    rows = "".join(
        f"<tr{' class=team' if h.person == ALL_HOLDERS else ''}>"
        + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(h))
        + "</tr>"
        for h in r.waiting_on_whom
    )
    return (
        f"<h2>{html.escape(TITLE)}</h2><p>{html.escape(MEANS)}</p><table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in _HEAD)
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )
