"""Operations declare whether the namespace's journeys are encrypted (starter/encryption.py
says why the namespace keeps it): requiring it is for operations or a supervisor, turning it
off for a supervisor; a refused attempt is kept for auditors (`loan-journey refusals`)."""

from __future__ import annotations

from temporalio.client import Client

from journey.actors import Actor, Role
from journey.settings import Settings
from starter.codec import CodecError
from starter.encryption import DATA_KEY, ENCRYPTED, PLAIN, Declaration, declare
from starter.pinned_policy import authorized
from store.refusals import origin

REQUIRE_ROLES = {Role.OPERATIONS, Role.SUPERVISOR}
TURN_OFF_ROLES = {Role.SUPERVISOR}


async def require(client: Client, settings: Settings, actor: Actor) -> None:
    """Declare the namespace's journeys encrypted (operations or a supervisor)."""
    authorized(settings, actor, REQUIRE_ROLES,
               f"namespace {client.namespace} not declared encrypted",
               (_kept_as(client), "encryption require"))
    await _declared_by(client, ENCRYPTED, actor)


async def turn_off(client: Client, settings: Settings, actor: Actor) -> None:
    """Declare the namespace's journeys plain (a supervisor): keyless clients may write
    again. A refused attempt is kept for auditors."""
    authorized(settings, actor, TURN_OFF_ROLES,
               f"namespace {client.namespace} not declared plain",
               (_kept_as(client), "encryption plain"))
    await _declared_by(client, PLAIN, actor)


async def _declared_by(client: Client, value: Declaration, actor: Actor) -> None:
    if not await declare(client, value, f"{actor.id} ({actor.role}, {origin()})"):
        raise CodecError(
            f"namespace {client.namespace}: this cluster does not let clients update its "
            f"namespace; set its data {DATA_KEY}={value} as its administrator")


def _kept_as(client: Client) -> str:
    """What a refused attempt is kept under (store/refusals.py's workflow id)."""
    return f"namespace {client.namespace}"
