"""When each journey ended, as the journey store records it: the `entered` event of its
terminal stage (closed, written off included; rejected, withdrawn, expired), which the journey
records itself, or the `exited` event the archivist records for one the Temporal server ended
(outcome `terminated`, store/ended_outside.py). A journey with neither still runs, or ended
outside the engine since the archivist's last pass: it has not ended here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select

from journey.stages import TERMINAL
from journey.timeline import EventType
from store.db import session
from store.ended_outside import ENDED_OUTSIDE
from store.models import StageEventRow as E


def ended(url: str) -> dict[str, datetime]:
    """Each journey that ended, with when (the latest end it records, should it record
    two)."""
    end = or_(and_(E.type == EventType.ENTERED.value, E.stage.in_([s.value for s in TERMINAL])),
              and_(E.type == EventType.EXITED.value, E.outcome == ENDED_OUTSIDE))
    with session(url) as s:
        return {wf: at for wf, at in s.execute(
            select(E.workflow_id, func.max(E.at)).where(end).group_by(E.workflow_id))}
