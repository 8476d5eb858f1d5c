"""What a worker needs of the cluster before it takes journeys: the custom search
attributes the journeys set (workflows/search_attributes.py). A journey that sets one the
namespace lacks fails every workflow task from that stage on, so a worker refuses to start
without them, and the embedded server registers them."""

from __future__ import annotations

from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from starter.errors import SetupError
from workflows import search_attributes

REGISTER = "docker/temporal/create-search-attributes.sh (compose runs it on every `up`)"


async def missing_search_attributes(client: Client) -> dict[str, int]:
    """The journeys' search attributes the namespace lacks: name to IndexedValueType."""
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    return {
        name: kind for name, kind in search_attributes.registration().items()
        if name not in listed.custom_attributes
    }


async def register_missing(client: Client) -> list[str]:
    """Register the search attributes the namespace lacks; returns their names."""
    missing = await missing_search_attributes(client)
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=client.namespace, search_attributes=missing)
        )
    return sorted(missing)


async def require_search_attributes(client: Client) -> None:
    """Refuse to take journeys on a namespace without their search attributes. A cluster
    that does not let this client list them (no operator rights) is taken on trust."""
    try:
        missing = await missing_search_attributes(client)
    except RPCError as err:
        if err.status in (RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED):
            return
        raise
    if missing:
        names = ", ".join(f"{name} ({search_attributes.type_name(kind)})"
                          for name, kind in sorted(missing.items()))
        raise SetupError(
            f"namespace {client.namespace} lacks the search attribute(s) {names} "
            f"that journeys set: register them first, e.g. with {REGISTER} or `temporal "
            f"operator search-attribute create --name <name> --type <its type>`"
        )
