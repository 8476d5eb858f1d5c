"""Customer feedback scores in SQL, idempotent by (workflow_id, sequence).

The sequence is that of the feedback's TOUCHPOINT timing event, so a retried activity or a
replayed journey never stores a score twice; feedback after the journey ended is numbered
from LATE_TOUCHPOINT_BASE (journey/touchpoints.py). Comments are not stored here (personal data:
they stay in the encrypted workflow history); `has_comment` says one was given.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from journey.touchpoints import LATE_TOUCHPOINT_BASE, RecordFeedbackInput
from store._dialect import insert_for, inserted
from store.db import ready
from store.models import Base, BigId, StageEventRow
from store.types import UTCDateTime


class FeedbackRow(Base):
    """One feedback (a complaint when `category` is set) about one stage of one journey."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("workflow_id", "sequence", name="uq_feedback_workflow_sequence"),
        Index("ix_feedback_stage", "stage", "kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    sequence: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    product: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(32))  # the stage the feedback is about
    attempt: Mapped[int] = mapped_column(Integer)
    given_at: Mapped[str] = mapped_column(String(32))  # where the journey stood
    kind: Mapped[str] = mapped_column(String(8))  # csat | nps
    score: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    has_comment: Mapped[bool] = mapped_column(Boolean, default=False)


def _row(f: RecordFeedbackInput) -> dict[str, object]:
    return {
        "workflow_id": f.workflow_id,
        "sequence": f.sequence,
        "at": f.at,
        "product": f.product.value,
        "stage": f.stage.value,
        "attempt": f.attempt,
        "given_at": f.given_at.value,
        "kind": f.kind.value,
        "score": f.score,
        "category": f.category.value if f.category else None,
        "channel": f.channel.value,
        "actor": f.actor,
        "has_comment": f.has_comment,
    }


def record_feedback(url: str, feedback: RecordFeedbackInput) -> bool:
    """Store one feedback; False if it was stored before (nothing written)."""
    engine = ready(url)
    stmt = (
        insert_for(engine, FeedbackRow.__table__)
        .values(**_row(feedback))
        .on_conflict_do_nothing(index_elements=["workflow_id", "sequence"])
    )
    with Session(engine) as s, s.begin():
        return inserted(s, stmt)


def late_touchpoints_taken(url: str, workflow_id: str) -> int:
    """How many numbers a journey's touchpoints after its end have taken (one past the
    highest, journey/touchpoints.py): in its timing events, or in its feedback, which alone
    was kept of feedback given before late touchpoints were timing events too."""
    with Session(ready(url)) as s:
        highest = [
            s.scalar(select(func.max(t.sequence)).where(
                t.workflow_id == workflow_id, t.sequence >= LATE_TOUCHPOINT_BASE))
            for t in (FeedbackRow, StageEventRow)
        ]
    return max((h - LATE_TOUCHPOINT_BASE + 1 for h in highest if h is not None), default=0)


def feedback_for(url: str, workflow_id: str) -> list[RecordFeedbackInput]:
    """A journey's stored feedback in sequence order."""
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(FeedbackRow)
            .where(FeedbackRow.workflow_id == workflow_id)
            .order_by(FeedbackRow.sequence)
        )
        return [RecordFeedbackInput.model_validate(r, from_attributes=True) for r in rows]
