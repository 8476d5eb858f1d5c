"""A queue as the head of a team reads it (`queue`): a person's cases, whatever their team,
and the committee votes awaited from them (`--person`), sorted as asked (`--sort`) and cut
(`--limit`); what each customer owes in a few words; and a team or staff id mistyped,
refused with the names nearest to it first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from difflib import get_close_matches
from enum import StrEnum

from temporalio.client import Client

from journey.actors import Role
from journey.customer_owes import owed_in_words
from journey.policy.who_may import may_vote
from journey.settings import Settings
from starter.errors import Ended, NoAnswer, NotFound, Refused
from starter.operations import status
from starter.pinned_policy import current_policy, team_names
from starter.work_lists import (
    TIER_READ_WITHIN,
    JourneyRow,
    list_journeys,
    most_urgent_first,
    person_query,
    queue_query,
    tier_reasons,
)


class QueueSort(StrEnum):
    SLA = "sla"  # breached, early warning, warned, then the rest; the oldest first in each
    WAITED = "waited"  # the longest wait first
    AMOUNT = "amount"  # the largest amount first


def ordered(rows: list[JourneyRow], sort: QueueSort) -> list[JourneyRow]:
    """`rows` by `sort`; those that do not say (no wait listed, no amount kept) last."""
    if sort is QueueSort.SLA:
        return most_urgent_first(rows)
    if sort is QueueSort.WAITED:
        far = datetime.max.replace(tzinfo=UTC)
        return sorted(rows, key=lambda r: (r.waiting.since if r.waiting else far, r.workflow_id))
    return sorted(rows, key=lambda r: (-(r.amount or Decimal(-1)), r.workflow_id))


async def assigned_to(client: Client, person: str) -> list[JourneyRow]:
    """Every running case whose current stage is assigned to `person`, on any team's queue,
    most urgent first (JourneyAssignee: a journey from before it lists no one)."""
    return most_urgent_first(await list_journeys(client, person_query(person), limit=None))


async def votes_awaited(client: Client, settings: Settings, person: str
                        ) -> list[JourneyRow] | None:
    """The cases at approval whose committee still needs `person`'s vote, most urgent first,
    each with why it is at its tier; None for someone who sits on no committee of the policy
    in force (nothing read). Visibility lists the committee's queue (JourneyTeam: its tier);
    who has voted is in no search attribute, so each case is read from its journey, as the
    committee's queue reads it (`tier_reasons`: a status query apiece, all at once), and kept
    while `person` may still vote on it (`may_vote`, by the policy in force); one not
    answering stays listed, marked so."""
    policy = current_policy(settings)
    member = policy.member(person)
    if (member is None or not member.active or member.role is not Role.APPROVER
            or member.tier is None or not policy.authority.tier(member.tier).committee):
        return None
    rows = most_urgent_first(await list_journeys(client, queue_query(member.tier), limit=None))
    return await tier_reasons(client, rows, keep=lambda s: person in {
        m.id for m in may_vote(policy, s)})


def nearest_first(name: str, known: list[str]) -> list[str]:
    """`known`, those nearest to `name` first (a mistyped one's likely meaning)."""
    near = get_close_matches(name, known, n=3, cutoff=0.6)
    return near + [k for k in known if k not in near]


def refuse_unknown_team(settings: Settings, team: str, hint: str) -> None:
    """`team`, on whose queue nothing waits, is none of the policy's: refused (exit 3), naming
    its teams nearest first and `hint`, or, for a staff id, the command that lists their
    cases."""
    known = team_names(settings)
    if team in known:
        return
    if current_policy(settings).member(team) is not None:
        raise Refused(f"{team!r} is a staff member, not a team: queue --person {team} lists "
                      "the cases assigned to them or waiting on their customers")
    raise Refused(f"{team!r} is no team of the policy: {', '.join(nearest_first(team, known))}"
                  f"; {hint}")


def refuse_unknown_person(settings: Settings, person: str) -> None:
    """`person` is no staff id of the policy in force, and nothing is theirs: refused (exit 3)
    naming the ids nearest to it."""
    policy = current_policy(settings)
    ids = [m.id for m in policy.staff]
    if person in ids:
        return
    near = get_close_matches(person, ids, n=3, cutoff=0.6)
    raise Refused(f"{person!r} is no staff id of the policy in force ({policy.version})"
                  + (f": did you mean {', '.join(near)}?" if near else
                     f" (its staff: {', '.join(ids)})"))


async def with_owed(client: Client, rows: list[JourneyRow],
                    within: timedelta = TIER_READ_WITHIN) -> list[JourneyRow]:
    """`rows` (cases waiting on their customers), each saying what its customer owes in a few
    words (`owed_in_words`), read from the journey (a status query apiece, all at once, each
    answered `within`); one not answering, gone or ended keeps its row as listed (its
    QueueWait's "documents", "an answer", "a signature")."""

    async def owed(row: JourneyRow) -> JourneyRow:
        try:
            s = await status(client, row.workflow_id, within)
        except (NotFound, Ended, NoAnswer):
            return row
        return row.model_copy(update={"owes": owed_in_words(s)})

    return list(await asyncio.gather(*(owed(r) for r in rows)))
