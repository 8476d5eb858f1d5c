"""The archivist's anchor: each sealed chain's head, read from the journey database, returned
into the pass's history (store/chain_anchors.py). Reads seals, never checks them: no key."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from temporalio import activity

from journey import archive_contracts as ac
from journey.settings import Settings
from store import chain_anchors


class AnchorActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @activity.defn(name=ac.ANCHOR_CHAINS)
    async def anchor_record_chains(self, request: ac.ChainAnchorInput) -> ac.ChainAnchor:
        heads = await asyncio.to_thread(chain_anchors.heads, self._settings.db_url)
        return ac.ChainAnchor(taken_at=datetime.now(UTC), heads=heads)
