"""`loan-journey report` and `loan-journey export`: the journey map and the event log.

Both read the timing events from the database (`Settings().db_url` unless `--db`, whose URL,
password and all, other users see in `ps`). Register
them on the main app (or use `report_app` as a group of its own):

    app.command("report")(report.report)
    app.command("export")(report.export)
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from journey.application import Product
from journey.policy.calendar import moment_at
from journey.policy.errors import PolicyError
from journey.policy.models import Policy
from journey.policy.sla import StageSla, Unit
from journey.repayment import money
from journey.settings import Settings
from journey.stages import Stage
from starter.bank_clock import bank_offset
from starter.errors import BadInput
from starter.journey_map import render_html
from starter.listings_view import counted
from starter.periods import moment, through
from starter.pinned_policy import policy_in_force
from starter.terminal import wide_console
from starter.waiting_on_whom import MEANS as WHOM_MEANS
from starter.waiting_on_whom import whom_table
from store.export import export_csv, export_xes
from store.report_models import (
    ALL_PRODUCTS,
    FUNNEL_MEANS,
    UNKNOWN_CHANNEL,
    UNKNOWN_CHANNEL_MEANS,
    Held,
    JourneyReport,
    TouchpointReport,
    bottleneck_says,
    human,
    measured,
    scope,
)
from store.touchpoint_analytics import build_journey_map

report_app = typer.Typer(help="Journey analytics: the report, the HTML map, the event log.")

DbOption = Annotated[
    str | None,
    typer.Option("--db", help=(
        "SQLAlchemy URL of the journey database [default: LOAN_JOURNEY_DATABASE_URL, with "
        "the password of LOAN_JOURNEY_DATABASE_PASSWORD or its _FILE]. A password written "
        "in this URL is seen by every user in `ps` and kept in the shell's history: use the "
        "settings for a database that has one.")),
]
ProductOption = Annotated[Product | None, typer.Option(help="Only journeys of this product.")]


class ExportFormat(StrEnum):
    XES = "xes"
    CSV = "csv"


def _db(db: str | None) -> str:
    """`--db`, else the settings' URL (their password in it); neither echoed in an error, as
    either may hold a password."""
    url = db or Settings().db_url
    try:
        parsed = make_url(url)
    except Exception as err:
        raise BadInput(f"--db is not a SQLAlchemy URL: {err}") from err
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        if not Path(parsed.database).exists():
            raise BadInput(
                f"no journey database at {parsed.database}: start a journey first, or point "
                "LOAN_JOURNEY_DATABASE_URL (or --db) at the database the worker writes"
            )
    return url


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _sla_basis(policy: Policy | None, stage: str, product: str) -> str:
    """The current policy's SLA target of a stage and how it counts ("24 working h")."""
    if policy is None or stage not in set(Stage):
        return ""
    sla = policy.sla
    target = (
        sla.stages.get(Stage(stage))
        if product == ALL_PRODUCTS
        else sla.for_stage(Stage(stage), Product(product))
    )
    if target is None:
        return _own_sla_basis(policy, Stage(stage), product)
    return _counted(target)


def _own_sla_basis(policy: Policy, stage: Stage, product: str) -> str:
    """Where the policy's SLAs give a stage none, the SLA of a wait of its own: at the
    documents, operations' check of unsure figures against the paper; at the disbursement,
    operations' payment instruction of an entrusted payout (受托支付), for the products paid
    so (a project's drawdowns name their payee in the request)."""
    if stage is Stage.DOCUMENTS and (check := policy.sla.figures_check) is not None:
        return f"{_counted(check)} (figures check)"
    entrusted = policy.entrusted_payment
    if stage is not Stage.DISBURSEMENT or entrusted is None or entrusted.instruction_sla is None:
        return "-"
    paid_so = set(entrusted.over) - {Product.PROJECT_FINANCE}
    if not paid_so or (product != ALL_PRODUCTS and Product(product) not in paid_so):
        return "-"
    return f"{_counted(entrusted.instruction_sla)} (entrusted payment instruction)"


def _counted(target: StageSla) -> str:
    """An SLA's target and how it counts."""
    if target.unit is Unit.BUSINESS:
        return f"{target.target.total_seconds() / 3600:g} working h"
    if target.unit is Unit.BUSINESS_DAYS:
        return f"{target.target.total_seconds() / 86400:g} working d"
    return f"{human(target.target.total_seconds())} calendar"


def _in_force(url: str) -> Policy | None:
    """The policy in force for the journey database at `url` (starter/pinned_policy.py), or
    None when it cannot be read: the report reads the timing events only, and says so under
    the table."""
    try:
        settings = Settings()
        return policy_in_force(url, settings.policy_file, settings.archive_seal_key)
    except (OSError, PolicyError):
        return None


def _stage_table(r: JourneyReport, policy: Policy | None) -> Table:
    t = Table(title="Stage visits, and the durations and SLA of their waits (nearest-rank "
              "percentiles)")
    for col in ("stage", "product"):
        t.add_column(col, no_wrap=True)
    for col in ("visits", "done", "waits", "p50", "p90", "max", "customer", "bank", "warned",
                "breached"):
        t.add_column(col, justify="right")
    if policy is not None:
        t.add_column(f"SLA (policy {policy.version})", justify="right")
    products = {s.product for s in r.stages}
    per_product = len(products) > 1
    # a report of one product (by --product, or of journeys all of one) gives a stage's total
    # that product's SLA, with its override, not the one for every product
    only = next(iter(products)) if len(products) == 1 else ALL_PRODUCTS
    for total in r.stage_totals:
        rows = [total]
        if per_product:
            rows += [s for s in r.stages if s.stage == total.stage]
        for s in rows:
            t.add_row(
                s.stage if s is total else "",
                s.product,
                str(s.count),
                str(s.completed),
                str(s.waits),
                human(s.p50),
                human(s.p90),
                human(s.max),
                _pct(s.customer_share),
                _pct(s.bank_share),
                _pct(s.warning_rate),
                _pct(s.breach_rate),
                *([_sla_basis(policy, s.stage, s.product if per_product else only)]
                  if policy is not None else []),
                style="bold" if s.product == ALL_PRODUCTS and per_product else None,
            )
    return t


def _funnel_table(r: JourneyReport) -> Table:
    t = Table(title="Funnel: journeys that reached each stage, and where they left")
    cols = ("reached", "advanced", "sent_back", "closed", "rejected", "withdrawn", "expired",
            "terminated", "in_stage")
    t.add_column("stage", no_wrap=True)
    for col in cols:
        t.add_column(col.replace("_", " "), justify="right")
    for f in r.funnel:
        t.add_row(f.stage, *(str(getattr(f, c)) for c in cols))
    return t


def _slowest_table(r: JourneyReport) -> Table:
    t = Table(title="Slowest journeys, application to payout (post-loan left out; not paid "
              "out: to the end, or now)")
    for col in ("journey", "product", "elapsed", "to", "customer", "bank", "breaches", "state"):
        t.add_column(col, justify="right" if col in ("elapsed", "breaches") else "left")
    for j in r.slowest:
        t.add_row(
            j.workflow_id,
            j.product,
            human(j.elapsed_seconds),
            j.measured_to(),
            human(j.customer_seconds),
            human(j.bank_seconds),
            str(j.breaches),
            j.final or "running",
        )
    return t


def _satisfaction_table(tp: TouchpointReport) -> Table:
    t = Table(title="Touchpoints and feedback per stage (pain = raters' hours x (5 - CSAT))")
    for col in ("stage", "touchpoints", "channels", "csat", "n", "nps", "pain", "complaints"):
        t.add_column(col, justify="left" if col in ("stage", "channels", "complaints") else "right")
    stages = [s.stage for s in tp.satisfaction]
    stages += [c.stage for c in tp.channels if c.stage not in stages]
    sat = {s.stage: s for s in tp.satisfaction}
    pain = {p.stage: p.pain for p in tp.pain_points}
    for stage in dict.fromkeys(stages):
        mine = [c for c in tp.channels if c.stage == stage]
        s = sat.get(stage)
        t.add_row(
            stage,
            str(sum(c.touchpoints for c in mine)),
            ", ".join(f"{c.channel} {c.touchpoints}" for c in mine),
            f"{s.csat_avg:.2f}" if s and s.csat_avg is not None else "-",
            str(s.csat_n) if s else "0",
            f"{s.nps:+.0f}" if s and s.nps is not None else "-",
            f"{pain[stage]:.1f}" if stage in pain else "-",
            ", ".join(
                f"{c.category} {c.complaints}" for c in tp.complaint_categories if c.stage == stage
            ),
        )
    return t


def _print_touchpoints(t: TouchpointReport, console: Console) -> None:
    console.print(_satisfaction_table(t))
    if any(c.channel == UNKNOWN_CHANNEL for c in t.channels):
        console.print(UNKNOWN_CHANNEL_MEANS, markup=False)
    if t.pain_points:
        ranked = ", ".join(f"{p.stage} {p.pain:.1f}" for p in t.pain_points)
        console.print(f"[bold red]Pain points:[/] {ranked}")
    for w in t.wait_vs_score:
        r = "n/a" if w.correlation is None else f"{w.correlation:+.2f}"
        console.print(f"waiting time vs score at {w.stage}: r = {r} over {w.n} journey(s)")


def lent_says(r: JourneyReport) -> str:
    """The money beside the counts: what the ledger lent the report's journeys (payouts, a
    project's drawdowns), whenever booked, and to how many, as `book`'s money paid out
    counts it."""
    return (f"lent {money(r.lent)} to {counted(r.lent_to, 'journey')} of them, "
            f"{r.paid_out:,} paid out (the ledger's bookings to them, whenever made)")


def print_report(r: JourneyReport, console: Console | None = None,
                 policy: Policy | None = None) -> None:
    """The report's tables, the SLA column by `policy` (the policy in force; none: left out)."""
    console = console or Console()
    console.print(f"[bold]{counted(r.journeys, 'journey')}[/], "
                  f"[bold]{counted(r.events, 'event')}[/] "
                  f"({scope(r, bank_offset())}); {lent_says(r)}", highlight=False)
    if not r.stage_totals:
        console.print("No stage has been entered yet.")
        return
    console.print(_stage_table(r, policy))
    console.print(measured(r, bank_offset()), markup=False, highlight=False)
    if policy is None:
        console.print("The SLA column is left out: the policy file cannot be read.")
    else:
        console.print(
            "warned and breached count against the SLA each journey pinned at its start; the "
            f"SLA column is the target of the policy in force, {policy.version} (the one the "
            "workers loaded last), and how it counts", highlight=False
        )
    console.print(_funnel_table(r))
    console.print(FUNNEL_MEANS, markup=False, highlight=False)
    console.print(_slowest_table(r))
    if r.waiting_on_whom:
        console.print(whom_table(r))
        console.print(WHOM_MEANS, markup=False, highlight=False)
    elif r.held.team or r.held.person:
        console.print("No wait on the bank was held by them in this period.")
    console.print(f"[bold red]Bottleneck:[/] {bottleneck_says(r)}", highlight=False)
    if r.touchpoints is not None and (r.touchpoints.touchpoints or r.touchpoints.feedback):
        _print_touchpoints(r.touchpoints, console)


@report_app.command("report")
def report(
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the journey map to this HTML file.")
    ] = None,
    product: ProductOption = None,
    since: Annotated[
        datetime | None, typer.Option(
            parser=moment, metavar="DATE|TIME",
            help="Only journeys that started at or after this time, or on this date or later "
                 "(the bank's clock unless an offset is given).")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(
            parser=through, metavar="DATE|TIME",
            help="Only journeys that started before this time, or on this date or earlier "
                 "(a date alone: its whole bank day; the bank's clock unless an offset is "
                 "given).")
    ] = None,
    team: Annotated[
        str | None, typer.Option(
            help="Only journeys with a wait on the bank this team held (unassigned: waits "
                 "whose rows name no team), and only its rows in waiting on whom.")
    ] = None,
    person: Annotated[
        str | None, typer.Option(
            help="Only journeys with a wait on the bank this person held (decided onward), "
                 "and only their rows in waiting on whom.")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON, not tables.")
    ] = False,
    db: DbOption = None,
) -> None:
    """The journey map: stage durations, who waits, SLA rates, funnel, touchpoints.

    Also the slowest journeys, the bank's waits per team and person, satisfaction, pain
    points and complaints."""
    if since and until and until <= since:
        raise typer.BadParameter(f"it ends the period at {moment_at(until, bank_offset())}, "
                                 f"which is not after --since {moment_at(since, bank_offset())}",
                                 param_hint="--until")
    product_value = product.value if product else None
    url = _db(db)
    result = build_journey_map(url, product=product_value, since=since, until=until,
                               held=Held(team=team, person=person))
    if json_output:
        typer.echo(result.model_dump_json(indent=2))
    else:
        print_report(result, wide_console(150), _in_force(url))
    if html is not None:
        render_html(result, html)
        typer.echo(f"journey map written to {html}", err=json_output)


@report_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="The event-log file to write.")],
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="xes (IEEE 1849) or csv.")
    ] = ExportFormat.XES,
    product: ProductOption = None,
    db: DbOption = None,
) -> None:
    """Write the journeys as an event log for process mining (PM4Py reads it as it is)."""
    writer = export_xes if format is ExportFormat.XES else export_csv
    n = writer(_db(db), out, product=product.value if product else None)
    typer.echo(f"{n} events written to {out} ({format.value})")
