"""`loan-journey`: the operator's command line, one thin command per action."""

from __future__ import annotations

from typing import Annotated

import typer

from journey.settings import StoreSettings
from starter import (
    application_cli,
    archive_cli,
    booking_cli,
    boundary,
    calendar_cli,
    drawdown_cli,
    encryption_cli,
    listings_cli,
    lpr_cli,
    notices_cli,
    payout_cli,
    policy_cli,
    post_loan_cli,
    queue_cli,
    records_cli,
    scans_cli,
    server_cli,
    status_cli,
    subject_cli,
    touchpoint_cli,
)
from starter.attempts import KeepingRefusals
from starter.audit_cli import history, refusals, verify
from starter.codec_server import codec_server
from starter.demo import demo
from starter.pending_cli import pending_app
from starter.report import export, report
from starter.schedules_cli import schedules_app
from store import db

app = typer.Typer(
    cls=KeepingRefusals,  # a refused attempt kept also when the parser refuses it
    help="Corporate and project-finance loan journeys on Temporal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="tracebacks on errors")] = False,
) -> None:
    boundary.verbose = verbose
    db.migrate_on_start(StoreSettings().migrate_on_start)


server_cli.register(app)
# the journey commands, in the order `--help` lists them
for command in (
    application_cli.start,
    status_cli.status,
    status_cli.plan,
    queue_cli.queue,
    listings_cli.book,
    application_cli.documents,
    application_cli.answer,
    application_cli.opinion,
    application_cli.decide,
    application_cli.sign,
    application_cli.withdraw,
    application_cli.amend,
    application_cli.reassign,
    application_cli.correct,
    post_loan_cli.repay,
    post_loan_cli.settlement,
    post_loan_cli.prepayment,
    post_loan_cli.acknowledge,
):
    app.command()(command)
app.command("write-off")(post_loan_cli.write_off)
app.command("classify")(post_loan_cli.classify)
app.command("list")(listings_cli.list_)
touchpoint_cli.register(app)
drawdown_cli.register(app)
payout_cli.register(app)
booking_cli.register(app)
app.command()(demo)
app.command()(report)
app.command()(export)
app.command()(history)
app.command()(verify)
app.command()(refusals)
app.command("codec-server")(codec_server)
app.add_typer(schedules_app, name="schedules")
app.add_typer(pending_app, name="pending")
archive_cli.register(app)
lpr_cli.register(app)
calendar_cli.register(app)
policy_cli.register(app)
records_cli.register(app)
notices_cli.register(app)
scans_cli.register(app)
encryption_cli.register(app)
subject_cli.register(app)


def main() -> None:
    try:
        with boundary.settings_checked():
            app()
    except SystemExit as done:
        boundary.end_process(boundary.exit_code(done))
    except Exception as err:  # from a command that does not run through boundary.run
        boundary.end_process(boundary.report(err))
    boundary.end_process(0)


if __name__ == "__main__":
    main()
