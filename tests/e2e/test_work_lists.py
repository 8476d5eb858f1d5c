"""Work lists that lose no case, on the real dev server: a team's queue lists every journey
that waits on it, most urgent first, however long; `list` says how many it left out.

Visibility lists newest first, so a queue cut at a page (it was at 100) hid the cases that
had waited longest. The journeys here are runs of the journey's type, started with the
search attributes a journey upserts, on a task queue no worker polls: visibility lists them
as it lists journeys, and none of them moves while the test reads.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment

from journey.policy.calendar import moment_at, short_moment
from journey.queue_wait import QueueWait
from journey.settings import Settings
from starter import work_lists
from starter.work_lists import JourneyRow
from tests.e2e.conftest import case_of
from tests.e2e.test_journey_on_dev_server import cli
from workflows import search_attributes as sa

pytestmark = pytest.mark.e2e

WAITING = 130  # more than a page of the old cut
# every fifth one warned, every thirteenth breached: the ones to see first
SLA = ["breached" if i % 13 == 5 else "warned" if i % 5 == 2 else "ok" for i in range(WAITING)]


async def started(client: Client, team: str, n: int) -> list[WorkflowHandle]:
    nowhere = f"no-worker-{uuid.uuid4()}"

    async def one(i: int) -> WorkflowHandle:
        attrs = TypedSearchAttributes([SearchAttributePair(sa.STAGE, "risk_review"),
                                       SearchAttributePair(sa.TEAM, team),
                                       SearchAttributePair(sa.SLA_STATE, SLA[i])])
        return await client.start_workflow("LoanJourneyWorkflow", id=f"{team}-{i:03}",
                                           task_queue=nowhere, search_attributes=attrs)

    handles = []
    for i in range(n):  # one at a time: their start times are in this order
        handles.append(await one(i))
    return handles


async def listed(client: Client, query: str, n: int) -> None:
    for _ in range(200):
        if await work_lists.count_journeys(client, query) == n:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"visibility never listed {n} for {query}")


@pytest.fixture
async def team(dev_server: WorkflowEnvironment) -> AsyncIterator[str]:
    name = f"team-{uuid.uuid4().hex[:8]}"
    handles = await started(dev_server.client, name, WAITING)
    await listed(dev_server.client, work_lists.queue_query(name), WAITING)
    yield name
    await asyncio.gather(*(h.terminate("test over") for h in handles))


async def test_a_queue_lists_every_case_most_urgent_first(
    dev_server: WorkflowEnvironment, team: str
) -> None:
    rows = await work_lists.waiting_on(dev_server.client, team)
    assert len(rows) == WAITING  # the oldest thirty were past the old cut
    ids = [r.workflow_id for r in rows]
    by_sla = {state: [f"{team}-{i:03}" for i, s in enumerate(SLA) if s == state]
              for state in ("breached", "warned", "ok")}
    # breached first, then warned, then the rest; in each, the one that started first
    assert ids == by_sla["breached"] + by_sla["warned"] + by_sla["ok"]
    assert [r.sla for r in rows[:2]] == ["breached", "breached"]


async def test_the_command_line_lists_the_whole_queue_and_says_what_list_left_out(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, team: str
) -> None:
    queue = await cli(e2e_settings, "queue", "--team", team)
    assert queue.stdout.count(f"{team}-") == WAITING
    assert f"{WAITING} journeys" in queue.stdout
    first = next(line for line in queue.stdout.splitlines() if f"{team}-" in line)
    assert f"{team}-005" in first and "breached" in first  # the first one breached
    # titled for people; the visibility query only when asked for
    said = " ".join(queue.stdout.split())
    assert f"queue of {team}: cases waiting on the team" in said
    assert "ExecutionStatus" not in queue.stdout
    shown = await cli(e2e_settings, "queue", "--team", team, "--show-query")
    assert f"visibility query: {work_lists.queue_query(team)}" in " ".join(shown.stdout.split())

    first3 = await cli(e2e_settings, "queue", "--team", team, "--limit", "3")
    assert first3.stdout.count(f"{team}-") == 3 and f"{team}-005" in first3.stdout
    assert f"the first 3 of {WAITING} by sla (--limit for more)" in first3.stdout

    # a mistyped team is refused, not an empty queue a script reads as no work
    typo = await cli(e2e_settings, "queue", "--team", "corprate_risk", ok=False)
    assert typo.returncode == 3 and typo.stdout == "", typo.stdout
    refusal = " ".join(typo.stderr.split())
    assert "'corprate_risk' is no team of the policy: corporate_risk, " in refusal, refusal
    assert "sme_risk" in refusal and "credit_committee" in refusal
    someone = await cli(e2e_settings, "queue", "--team", "risk-corp-2", ok=False)
    assert someone.returncode == 3
    assert "queue --person risk-corp-2" in " ".join(someone.stderr.split())
    zero = await cli(e2e_settings, "list", "--limit", "0", ok=False)
    assert zero.returncode == 2 and "--limit" in zero.stderr

    some = await cli(e2e_settings, "list", "--query", f"JourneyTeam = '{team}'", "--limit", "7")
    assert some.stdout.count(f"{team}-") == 7
    assert f"the newest 7 of {WAITING} (--limit for more)" in some.stdout
    assert f"{team}-{WAITING - 1:03}" in some.stdout  # newest first
    [newest] = await work_lists.list_journeys(dev_server.client, f"JourneyTeam = '{team}'", 1)
    row = next(line for line in some.stdout.splitlines() if newest.workflow_id in line)
    assert moment_at(newest.started, 8) in row, row  # started on the bank's clock


async def test_an_ended_journey_lists_no_sla(dev_server: WorkflowEnvironment) -> None:
    """A run the server ended keeps the SlaState it last upserted; `list` shows none, as no
    SLA runs on it any more."""
    client = dev_server.client
    attrs = TypedSearchAttributes([SearchAttributePair(sa.STAGE, "risk_review"),
                                   SearchAttributePair(sa.SLA_STATE, "breached")])
    handle = await client.start_workflow("LoanJourneyWorkflow", id=f"ended-{uuid.uuid4()}",
                                         task_queue=f"no-worker-{uuid.uuid4()}",
                                         search_attributes=attrs)
    await handle.terminate("duplicate application")
    query = f"WorkflowId = '{handle.id}' AND ExecutionStatus = 'Terminated'"
    await listed(client, query, 1)
    [row] = await work_lists.list_journeys(client, query)
    assert (row.status, row.stage, row.sla) == ("terminated", "risk_review", "-")


async def test_a_queue_says_since_when_each_case_has_waited_on_the_team(
    dev_server: WorkflowEnvironment, e2e_settings: Settings
) -> None:
    """Each case with since when it has waited on the team (the bank's clock), how long by
    now (calendar time here, as its stage's SLA counts), and its SLA's points on that wait;
    a case listed before the journey said (no QueueWait) shows dashes."""
    name, client = f"team-{uuid.uuid4().hex[:8]}", dev_server.client
    since = datetime.now(UTC) - timedelta(days=3, hours=2, minutes=30)
    wait = QueueWait(since=since, warn_at=datetime(2026, 12, 7, 1, tzinfo=UTC),
                     due_at=datetime(2026, 12, 8, 1, tzinfo=UTC))
    handles = [await client.start_workflow(
        "LoanJourneyWorkflow", id=f"{name}-{i}", task_queue=f"no-worker-{uuid.uuid4()}",
        search_attributes=TypedSearchAttributes([
            SearchAttributePair(sa.STAGE, "risk_review"), SearchAttributePair(sa.TEAM, name),
            *([SearchAttributePair(sa.QUEUE_WAIT, wait.stamp())] if i == 0 else [])]))
        for i in range(2)]
    await listed(client, work_lists.queue_query(name), 2)
    queue = await cli(e2e_settings, "queue", "--team", name)
    await asyncio.gather(*(h.terminate("test over") for h in handles))
    waited = case_of(queue.stdout, f"{name}-0")[1]  # its SLA on the wait, line by line
    assert waited[1:] == [f"since {short_moment(since, 8)}", "3d 2h calendar",
                          "warn 12-07 09:00", "due 12-08 09:00"], queue.stdout
    assert case_of(queue.stdout, f"{name}-1")[1][1:] == ["-"]  # listed before QueueWait
    said = " ".join(queue.stdout.split())
    assert "SLA on the wait" in said and "times: bank time, UTC+8" in said


async def test_an_approval_tier_list_without_a_worker_marks_why_unavailable_at_once(
    dev_server: WorkflowEnvironment,
) -> None:
    """An approval tier's cases, whose reasons a worker reads (a status query apiece), are
    listed when none answers, each "why this tier" marked unavailable; read at once, under
    one bound, not one wait after another."""
    client, nowhere = dev_server.client, f"no-worker-{uuid.uuid4()}"
    handles = [await client.start_workflow("LoanJourneyWorkflow", id=f"tier-{uuid.uuid4()}",
                                           task_queue=nowhere) for _ in range(3)]
    rows = [JourneyRow(workflow_id=h.id, status="running", stage="approval",
                       team="credit_committee", sla="ok", product="-", amount_band="-",
                       started=datetime.now(UTC)) for h in handles]
    began = time.monotonic()
    try:
        reasons = await asyncio.wait_for(work_lists.tier_reasons(client, rows), 60)
    finally:
        await asyncio.gather(*(h.terminate("test over") for h in handles))
    within = work_lists.TIER_READ_WITHIN.total_seconds()
    assert time.monotonic() - began < 2 * within
    assert [r.workflow_id for r in reasons] == [h.id for h in handles]
    assert all(r.why == f"unavailable: no answer within {within:g} s (is a worker running?); "
               "its covenants on file are not read either" for r in reasons), reasons


async def test_a_queue_says_whom_each_case_is_assigned_to_and_lists_a_persons_cases(
    dev_server: WorkflowEnvironment, e2e_settings: Settings
) -> None:
    """A team's queue says whom each case is assigned to ("-": the whole team's; "not listed":
    a journey from before JourneyAssignee); `--person` lists a staff member's cases on any
    team's queue; a wait under a day reads in hours and minutes; `--sort waited` puts the
    longest wait first; an unknown staff id is refused with the ids near it."""
    client, name = dev_server.client, f"team-{uuid.uuid4().hex[:8]}"
    other, now = f"{name}-other", datetime.now(UTC)

    def wait(ago: timedelta) -> SearchAttributePair[str]:
        return SearchAttributePair(sa.QUEUE_WAIT, QueueWait(since=now - ago).stamp())

    runs = {"held": (name, [SearchAttributePair(sa.ASSIGNEE, "risk-corp-2"),
                            wait(timedelta(hours=5, minutes=54, seconds=30))]),
            "team": (name, [SearchAttributePair(sa.ASSIGNEE, "-"), wait(timedelta(days=2))]),
            "older": (name, []),
            "elsewhere": (other, [SearchAttributePair(sa.ASSIGNEE, "risk-corp-2")])}
    handles = [await client.start_workflow(
        "LoanJourneyWorkflow", id=f"{name}-{key}", task_queue=f"no-worker-{uuid.uuid4()}",
        search_attributes=TypedSearchAttributes([
            SearchAttributePair(sa.STAGE, "risk_review"), SearchAttributePair(sa.TEAM, team),
            *pairs])) for key, (team, pairs) in runs.items()]
    try:
        await listed(client, work_lists.queue_query(name), 3)
        await listed(client, f"WorkflowId = '{name}-elsewhere' AND JourneyAssignee = "
                             "'risk-corp-2'", 1)
        queue = (await cli(e2e_settings, "queue", "--team", name)).stdout
        held, team, older = (case_of(queue, f"{name}-{k}") for k in ("held", "team", "older"))
        assert (held[0][3], team[0][3], older[0][3]) == (
            "assigned to risk-corp-2", "assigned to - (the whole team)",
            "assigned to not listed"), queue
        assert held[1][2] in ("5h 54m calendar", "5h 55m calendar"), queue  # not "0d 5h"
        assert team[1][2] == "2d 0h calendar", queue
        assert "journey began before it listed its assignee" in " ".join(queue.split())

        waited = (await cli(e2e_settings, "queue", "--team", name, "--sort", "waited")).stdout
        ids = [ln.split()[1] for ln in waited.splitlines() if ln.startswith(f"│ {name}-")]
        assert ids == [f"{name}-team", f"{name}-held", f"{name}-older"], waited

        theirs = (await cli(e2e_settings, "queue", "--person", "risk-corp-2")).stdout
        assert f"{name}-held" in theirs and f"{name}-elsewhere" in theirs, theirs
        assert f"{name}-team" not in theirs and f"{name}-older" not in theirs
        assert "cases assigned to risk-corp-2" in theirs
        typo = await cli(e2e_settings, "queue", "--person", "risk-crop-2", ok=False)
        assert typo.returncode == 3 and typo.stdout == ""
        assert "'risk-crop-2' is no staff id of the policy in force (2026.12-8): did you mean " \
            "risk-corp-2" in " ".join(typo.stderr.split()), typo.stderr
    finally:
        await asyncio.gather(*(h.terminate("test over") for h in handles))
