"""What an auditor should look at in a loan's trail, that no rule refused: one client
identity (the `user@host pid` a client reports to the server, which the history keeps with
each act) that acted for more than one person or role on the loan (the relationship
manager's and an approver's acts from one process, two approvers' votes from one process).
Four eyes and segregation of duties are checked on the ids people type; the identity is
the client's own report, not proven, so this is a finding, never a refusal."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.markup import escape
from rich.table import Table

from starter.audit import AuditLine

# an act kept while no worker answered is delivered later by another process: its identity
# names who typed it (starter/pending_send.py `typed_by`)
_TYPED_BY = re.compile(r"^pending #\d+ typed by (.+) at \d{4}-\d\d-\d\dT")


def typist(origin: str) -> str:
    """The client that typed an act: a delivered pending act's typist, else the origin."""
    kept = _TYPED_BY.match(origin)
    return kept[1] if kept else origin


def shared_identities(lines: Iterable[AuditLine]) -> dict[str, list[str]]:
    """Each client identity that acted as more than one (role, person) on the loan, and as
    whom ("approver cc-1"), in the order first seen."""
    acted: dict[str, dict[str, None]] = {}
    for line in lines:
        if line.origin and line.role and line.actor:  # people's acts: starts, updates, signals
            acted.setdefault(typist(line.origin), {})[f"{line.role} {line.actor}"] = None
    return {origin: list(who) for origin, who in acted.items() if len(who) > 1}


def render_findings(findings: dict[str, list[str]]) -> Table:
    table = Table("client identity", "acted as", title=(
        "findings for an auditor: one client identity acted for several people or roles on "
        "this loan (its own report, not proven; four eyes held on the ids typed)"))
    for origin, who in findings.items():
        table.add_row(escape(origin), escape(", ".join(who)))
    return table
