"""What the journey commands share: who acts (`--as`, `--role`), on which journey and why, and
how an act is sent."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.markup import escape
from typer._click.core import ParameterSource  # typer's own click

from journey.actors import Actor, Role
from journey.decisions import UpdateResult
from journey.settings import Settings
from starter import journey_ids, pending, pinned_policy
from starter.act_words import act_words
from starter.boundary import run
from starter.errors import NotMet, plain_errors
from starter.terminal import wide_console

console = wide_console()

As = Annotated[str, typer.Option("--as", help="your staff id, or the customer's credit code")]


def _listed_role(ctx: typer.Context) -> Role | None:
    """The role the staff directory gives the `--as` person, None for someone it does not
    list. Click reads a typed option before one left out, so `--as` is known here."""
    return pinned_policy.directory_role(Settings(), str(ctx.params.get("actor") or ""))


def yours_unless_typed(ctx: typer.Context, param: typer.CallbackParam, role: Role) -> Role:
    """`--role` as typed (checked as typed where the act is authorised), else the role the
    staff directory gives the `--as` person, else the command's default: a supervisor given
    a case is not refused for the risk officer's role they did not type."""
    if ctx.get_parameter_source(param.name or "") is not ParameterSource.DEFAULT:
        return role
    return _listed_role(ctx) or role


RoleOpt = Annotated[Role, typer.Option(
    "--role", callback=yours_unless_typed,
    help="the role you act in (default: yours in the staff directory, else the command's)")]


def _staff_role(usual: Role) -> Any:  # a typer option
    def role_of(ctx: typer.Context, role: Role | None) -> Role:
        """`--role` as typed (checked as typed where the act is authorised), else the role
        the staff directory gives the `--as` person, else `usual`, the command's."""
        return role or _listed_role(ctx) or usual

    return typer.Option("--role", callback=role_of, help="the role you act in (default: yours "
                        f"in the staff directory, else {usual})")


# a role the staff directory knows the person's by: operations', or the risk team's
StaffRole = Annotated[Role | None, _staff_role(Role.OPERATIONS)]
RiskTeamRole = Annotated[Role | None, _staff_role(Role.RISK_OFFICER)]
JourneyId = Annotated[str, typer.Argument(
    callback=journey_ids.typed, help="journey (workflow) id, e.g. loan-APP-0001")]
Reason = Annotated[str, typer.Option(
    "--reason", help="why; kept in the audit trail, never sent to the customer")]


def as_actor(actor_id: str, role: Role) -> Actor:
    return Actor(id=actor_id, role=role)


def validated(model: type[BaseModel], **fields: object) -> BaseModel:
    try:
        return model.model_validate(fields)
    except ValidationError as err:
        raise typer.BadParameter(plain_errors(err)) from None


def send_update(workflow_id: str, update: str, request: BaseModel) -> None:
    """Send an act; one no worker takes in time is kept until delivered (starter/pending.py)."""
    settings = Settings()

    async def go() -> None:
        said(update, await pending.act_or_keep(None, settings, workflow_id, update, request))

    run(go())


def said(update: str, result: UpdateResult) -> None:
    """The journey's answer to `update`; a vote that does not count, or a repayment it did not
    book (its reference another loan's payment holds: kept as money received and not
    booked), is refused (`NotMet`): recorded in the history, it changed nothing."""
    if not result.accepted:
        raise NotMet(f"{result.message} (journey at {result.stage})")
    if not result.counted:
        raise NotMet(f"{result.message} (journey at {result.stage}; the history records the "
                     "vote)")
    # the journey's words after a colon: run on after the stage they read as one phrase
    # ("journey at withdrawn customer wants 15,000,000", "at completeness 1 new document(s)")
    console.print(f"{act_words(update)}: accepted; journey at [bold]{result.stage}[/]"
                  + (f": {escape(result.message)}" if result.message else ""))
