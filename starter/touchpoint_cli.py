"""`loan-journey feedback` and `loan-journey inquiry`: the customer's touchpoints, recorded by
the customer or by the front office (branch, relationship manager) on the customer's behalf."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.markup import escape

from journey.actors import Actor, Role
from journey.application import Channel
from journey.policy import DecisionRefused
from journey.stages import Stage
from journey.touchpoints import ComplaintCategory, Feedback, Inquiry, ScoreKind, check_score
from starter import operations
from starter.boundary import run
from starter.connect import connect
from starter.errors import plain_errors

console = Console()

JourneyId = Annotated[str, typer.Argument(help="journey (workflow) id, e.g. loan-APP-0001")]
As = Annotated[str, typer.Option("--as", help="the customer's credit code, or your staff id")]
RoleOpt = Annotated[Role, typer.Option("--role", help="customer, or the front office role")]
ChannelOpt = Annotated[Channel, typer.Option("--channel", help="the touchpoint used")]


def _send(workflow_id: str, update: str, request: BaseModel) -> None:
    async def go() -> None:
        result = await operations.act(await connect(), workflow_id, update, request)
        console.print(f"{update}: {escape(result.message)}; journey at [bold]{result.stage}[/]")

    run(go())


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
        str | None, typer.Option(help="kept in the encrypted history only, at most 1000 chars")
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
    _send(workflow_id, "record_feedback", request)


def inquiry(
    workflow_id: JourneyId, actor: As, channel: ChannelOpt, role: RoleOpt = Role.CUSTOMER
) -> None:
    """Record a customer's status inquiry; answers where the journey stands."""
    _send(workflow_id, "record_inquiry", Inquiry(actor=Actor(id=actor, role=role), channel=channel))


def register(app: typer.Typer) -> None:
    app.command()(feedback)
    app.command()(inquiry)
