"""`loan-journey demo`: sample applications through the whole journey on the embedded server,
with a simulated operations team, a summary, the journey report and the Web UI address."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from temporalio.client import Client

from activities.archive import archive_closed_runs
from journey import archive_contracts as ac
from journey.entrusted_payment import Counterparty
from journey.policy import Policy
from journey.repayment import money
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyStatus
from starter import core_logs, encryption, pinned_policy, work_lists
from starter.book_sections import commitments_table
from starter.boundary import run
from starter.demo_team import Scenario, play
from starter.embedded import embedded_server, ui_address
from starter.journey_map import render_html
from starter.listings_view import book_table
from starter.report import print_report
from starter.terminal import BOOK_WIDTH, wide_console
from store.analytics import build_report
from store.db import ready
from worker import build_worker, stop_signals

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
console = wide_console()


def scenarios(samples: Path = SAMPLES) -> list[Scenario]:
    d, a = samples / "demo", samples / "applications"

    def company(n: int, *kinds: str) -> list[Path]:
        return [d / f"company{n}_{kind}.jpg" for kind in kinds]

    full = ("business_license", "balance_sheet", "income_statement")
    return [
        Scenario(
            "complete file, approved, settled early",
            a / "demo-001.json",
            company(1, *full),
            ending="closed",
        ),
        Scenario(
            "statement missing and a corrupt scan: supplements, disbursed, a quarter prepaid",
            a / "demo-002.json",
            [*company(2, "business_license", "balance_sheet"), d / "corrupt_truncated.jpg"],
            supplements=company(2, "income_statement"),
            ending="active",
            prepays=Decimal("0.25"),
            paid_to=[  # 20,000,000 is above fixed asset's 5,000,000: entrusted payment
                Counterparty(name="深圳精工贴片设备有限公司", account="4000023309200456781",
                             bank="中国工商银行深圳分行", contract="PO-2026-0112",
                             amount=Decimal("14000000.00")),
                Counterparty(name="广东华建工程有限公司", account="44201500400052512345",
                             bank="中国建设银行广州分行", contract="EPC-2026-031",
                             amount=Decimal("6000000.00")),
            ],
        ),
        Scenario(
            "the risk team declines", a / "demo-003.json", company(3, *full), ending="rejected"
        ),
        Scenario(
            "rotated, damaged licence; the customer withdraws at the offer",
            a / "demo-004.json",
            [d / "damaged_rotated_license.jpg", *company(1, "balance_sheet", "income_statement")],
            ending="withdrawn",
        ),
    ]


def demo(
    keep: Annotated[bool, typer.Option(help="keep the server and worker up afterwards")] = False,
    html: Annotated[Path, typer.Option(help="where to write the journey map")] = Path(
        "journey-map.html"
    ),
) -> None:
    """Run sample applications through the journey on the embedded Temporal server."""
    settings = Settings()
    core_logs.forward()  # a run-ahead's failed status query is no warning with a traceback
    run(_demo(settings, keep, html))


async def _demo(settings: Settings, keep: bool, html: Path) -> None:
    ready(settings.db_url)  # migrated, unless LOAN_JOURNEY_MIGRATE_ON_START says only check
    suffix = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    console.print(f"[bold]Starting the embedded Temporal server[/] on {settings.temporal_address}")
    async with embedded_server(settings) as env:
        await encryption.writes_allowed(env.client, "demo not run")
        async with build_worker(env.client, settings):
            policy = pinned_policy.current_policy(settings)  # the one its worker recorded
            await _play(env.client, settings, policy, suffix, keep, html)


async def _play(client: Client, settings: Settings, policy: Policy, suffix: str, keep: bool,
                html: Path) -> None:
    console.print(f"Web UI: {ui_address(settings)}\n")
    plays = [
        play(client, settings, policy, sc, suffix, _progress(sc.title))
        for sc in scenarios()
    ]
    finals = await asyncio.gather(*plays)
    console.print(_summary(scenarios(), finals))
    report = build_report(settings.db_url)
    print_report(report, console, policy)
    render_html(report, html)
    running = [f.workflow_id for f in finals if f.stage is Stage.POST_LOAN]
    await _listed(client, work_lists.book_query(), running)
    book = await work_lists.loan_book(client, settings=settings)  # as `book` shows it
    wide_console(BOOK_WIDTH).print(book_table(book.lines, "loan book (`loan-journey book`)"),
                                   commitments_table(book.commitments))
    await _listed(client, "ExecutionStatus != 'Running'",
                  [f.workflow_id for f in finals if f.stage.terminal])
    kept = await archive_closed_runs(client, settings, ac.OVERLAP)
    console.print(f"\naudit record: {kept.archived} closed run(s)' histories archived, kept "
                  "past the namespace's retention (`loan-journey archive list <id>`)")
    for out in kept.kept_out:
        console.print(f"kept out of the archive, its history disagreeing with the bank's "
                      f"sealed records: {escape(out)}")
    console.print(f"journey map: {html.resolve()}")
    console.print(f"Web UI: {ui_address(settings)}  (try the query JourneyStage='post_loan')")
    if keep:
        console.print("server and worker stay up: press Ctrl-C to stop")
        with stop_signals() as stop:  # SIGTERM too: the server stops with the demo
            await stop.wait()
        console.print("stopped")


async def _listed(client: Client, query: str, workflow_ids: list[str]) -> None:
    """Wait (a few seconds at most) until visibility lists these journeys under `query`,
    which it does a moment after they change: so that the loan book shows the running ones,
    and the archive pass finds the closed ones."""
    if not workflow_ids:
        return
    ids = " OR ".join(f"WorkflowId = '{wid}'" for wid in workflow_ids)
    for _ in range(50):
        listed = await client.count_workflows(f"({query}) AND ({ids})")
        if listed.count >= len(workflow_ids):
            return
        await asyncio.sleep(0.1)


def _progress(title: str):  # type: ignore[no-untyped-def]
    def show(s: JourneyStatus) -> None:
        waiting = f" - waiting for {'; '.join(s.waiting_for)}" if s.waiting_for else ""
        console.print(
            f"{s.workflow_id:<34} [bold]{s.stage:<13}[/] #{s.attempt}{waiting}", highlight=False
        )

    return show


def _outcome(s: JourneyStatus) -> str:
    if s.outcome_reason:
        return f"{s.stage}: {s.outcome_reason}"
    if s.account is not None and s.risk_class is not None:  # a running loan
        return (f"{s.stage}: {s.risk_class.label_zh} {s.risk_class}, principal left "
                f"{money(s.account.principal_owed)}")
    return str(s.stage)


def _summary(scenarios: list[Scenario], finals: list[JourneyStatus]) -> Table:
    table = Table("journey", "scenario", "outcome", "stages", "disbursed", title="demo summary")
    for sc, s in zip(scenarios, finals, strict=True):
        table.add_row(
            s.workflow_id,
            sc.title,
            _outcome(s),
            str(len(s.timeline)),
            money(s.disbursement.amount) if s.disbursement else "-",
        )
    return table
