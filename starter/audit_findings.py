"""What an auditor should look at in a loan's trail, that no rule refused: one client (the
`user@host pid` a client reports to the server, which the history keeps with each act, taken
without its pid) that acted for more than one person or role on the loan (the risk officer's
and an approver's acts from one process, two approvers' votes typed by one OS user on one
machine, each command line run a process of its own). Four eyes and segregation of duties
are checked on the ids people type; the identity is the client's own report, not proven, so
this is a finding, never a refusal."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.markup import escape
from rich.table import Table

from starter.audit import AuditLine

# an act kept while no worker answered is delivered later by another process: its identity
# names who typed it (starter/pending_send.py `typed_by`)
_TYPED_BY = re.compile(r"^pending #\d+ typed by (.+) at \d{4}-\d\d-\d\dT")
# the command line's, `up`'s, `demo`'s and the worker's clients (store/refusals.py `origin`;
# the user may be "uid 1000"); another client's identity (the SDK's default "12345@host", a
# program's own) is its client as it stands
_ORIGIN = re.compile(r"^(\S.*@\S+) pid (\d+)$")


def typist(origin: str) -> str:
    """The client that typed an act: a delivered pending act's typist, else the origin."""
    kept = _TYPED_BY.match(origin)
    return kept[1] if kept else origin


def client_of(identity: str) -> tuple[str, str | None]:
    """The client (user@host) an identity names, and its process id (None: not an origin)."""
    named = _ORIGIN.match(identity)
    return (named[1], named[2]) if named else (identity, None)


def shared_identities(lines: Iterable[AuditLine]) -> dict[str, list[str]]:
    """Each client (user@host, over every process of it) that acted as more than one (role,
    person) on the loan, named with its processes ("root@vm (pids 101, 202)", or its one
    identity as reported), and as whom ("approver cc-1"), in the order first seen."""
    acted: dict[str, dict[str, None]] = {}
    identities: dict[str, dict[str, str | None]] = {}
    for line in lines:
        if line.origin and line.role and line.actor:  # people's acts: starts, updates, signals
            identity = typist(line.origin)
            client, pid = client_of(identity)
            acted.setdefault(client, {})[f"{line.role} {line.actor}"] = None
            identities.setdefault(client, {})[identity] = pid
    return {_named(client, identities[client]): list(who) for client, who in acted.items()
            if len(who) > 1}


def _named(client: str, identities: dict[str, str | None]) -> str:
    """A client as a finding names it: its one identity, or user@host with its processes."""
    if len(identities) == 1:
        return next(iter(identities))
    pids = [pid for pid in identities.values() if pid is not None]
    return f"{client} (pid{'s' if len(pids) > 1 else ''} {', '.join(pids)})"


def render_findings(findings: dict[str, list[str]]) -> Table:
    table = Table("client identity", "acted as", title=(
        "findings for an auditor: one client (user@host, in one process or several) acted "
        "for several people or roles on this loan (its own report, not proven; four eyes held "
        "on the ids typed)"))
    for origin, who in findings.items():
        table.add_row(escape(origin), escape(", ".join(who)))
    return table
