"""The archivist's anchor: each sealed chain's head, read from the journey database, returned
into the pass's history (store/chain_anchors.py), with the heads lost since the previous
pass's anchor (read from the server, as `records verify` reads it) and those it carried.
Reads seals, never checks them: no key."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from temporalio import activity

from activities import anchors
from journey import archive_contracts as ac
from journey.settings import Settings
from store import chain_anchors


class AnchorActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @activity.defn(name=ac.ANCHOR_CHAINS)
    async def anchor_record_chains(self, request: ac.ChainAnchorInput) -> ac.ChainAnchor:
        url = self._settings.db_url
        previous = await anchors.latest(activity.client(), self._settings.task_queue)
        taken_at = datetime.now(UTC)
        lost = [] if previous is None else await asyncio.to_thread(
            chain_anchors.lost_since, url, previous, activity.info().workflow_id, taken_at)
        heads = await asyncio.to_thread(chain_anchors.heads, url)
        return ac.ChainAnchor(taken_at=taken_at, heads=heads, lost=lost)
