"""`loan-journey feedback` and `loan-journey inquiry`: the customer's touchpoints, recorded by
the customer or by the front office on the customer's behalf: an inquiry by any front office
staff, a score (CSAT, NPS, a complaint's) only by the case's relationship manager recording
what the customer said at the branch or on the phone (journey/policy/authority.py). One typed
while no worker answers is kept and delivered later, as other acts are (starter/pending.py)."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.markup import escape

from journey.actors import Actor, Role
from journey.application import Channel
from journey.inquiry_answer import ended_answer
from journey.policy import DecisionRefused
from journey.settings import Settings
from journey.stages import Stage
from journey.touchpoints import (
    ComplaintCategory,
    Feedback,
    Inquiry,
    ScoreKind,
    check_score,
    late_touchpoints_id,
)
from starter import late_touchpoints, pending
from starter.act_words import act_words
from starter.attempts import acting
from starter.boundary import err_console, run
from starter.connect import connect
from starter.errors import Ended, plain_errors
from starter.journey_cli import JourneyId, yours_unless_typed

console = Console()

As = Annotated[str, typer.Option("--as", help="the customer's credit code, or your staff id")]
RoleOpt = Annotated[Role, typer.Option(
    "--role", callback=yours_unless_typed,
    help="customer, or the front office role (default: yours in the staff directory, else "
         "customer)")]
ChannelOpt = Annotated[Channel, typer.Option("--channel", help="the touchpoint used")]


async def _sent(settings: Settings, workflow_id: str, update: str, request: BaseModel, *,
                for_customer: bool = False) -> None:
    """Send a touchpoint; one no worker takes in time is kept until delivered. `for_customer`:
    its answer is the customer's, printed alone (no act named, no stage)."""
    result = await pending.act_or_keep(None, settings, workflow_id, update, request)
    console.print(escape(result.message) if for_customer else
                  f"{act_words(update)}: {escape(result.message)}; "
                  f"journey at [bold]{result.stage}[/]")


@acting("record_feedback")
def feedback(
    workflow_id: JourneyId,
    score: Annotated[int, typer.Option(help="CSAT 1-5 or NPS 0-10")],
    stage: Annotated[Stage, typer.Option(help="the stage the feedback is about")],
    actor: As,
    channel: ChannelOpt,
    kind: Annotated[ScoreKind, typer.Option(help="csat (1-5) or nps (0-10)")] = ScoreKind.CSAT,
    category: Annotated[
        ComplaintCategory | None, typer.Option(help="makes the feedback a complaint")
    ] = None,
    comment: Annotated[
        str | None,
        typer.Option(help="kept in the workflow history only (encrypted where codec keys are "
                     "set), at most 1000 chars"),
    ] = None,
    role: RoleOpt = Role.CUSTOMER,
) -> None:
    """Record the customer's feedback (a complaint with --category) about a stage."""
    try:
        request = Feedback(
            actor=Actor(id=actor, role=role), channel=channel, stage=stage, score=score,
            kind=kind, category=category, comment=comment,
        )  # fmt: skip
        check_score(request)
    except ValidationError as err:
        raise typer.BadParameter(plain_errors(err)) from None
    except DecisionRefused as err:
        raise typer.BadParameter(str(err)) from None

    settings = Settings()

    async def go() -> None:
        try:
            await _sent(settings, workflow_id, "record_feedback", request)
        except Ended:  # a declined customer's complaint: kept beside the closed journey
            kept = await late_touchpoints.record_late_feedback(await connect(settings), settings,
                                                               workflow_id, request)
            what = "complaint" if request.complaint else "feedback"
            console.print(f"{workflow_id} has ended: the {what} is kept as {kept}")

    run(go())


@acting("record_inquiry")
def inquiry(
    workflow_id: JourneyId, actor: As, channel: ChannelOpt, role: RoleOpt = Role.CUSTOMER
) -> None:
    """Record a customer's status inquiry; answers where the journey stands, or how it
    ended, in words for the customer (the inquiry kept beside the closed journey)."""
    request = Inquiry(actor=Actor(id=actor, role=role), channel=channel)

    settings = Settings()

    async def go() -> None:
        try:
            await _sent(settings, workflow_id, "record_inquiry", request, for_customer=True)
        except Ended:  # answered all the same, how it ended; kept beside the closed journey
            s = await late_touchpoints.record_late_inquiry(await connect(settings), settings,
                                                           workflow_id, request)
            console.print(escape(ended_answer(s)))  # the customer's answer alone
            err_console.print(escape(f"the inquiry is kept as {late_touchpoints_id(workflow_id)}"))

    run(go())


def register(app: typer.Typer) -> None:
    app.command()(feedback)
    app.command()(inquiry)
