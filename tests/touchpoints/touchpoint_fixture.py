"""Feedback over the report's fixed journeys (tests/report/report_fixture.py), for figures
computed by hand in test_report.py. Each feedback is also a touchpoint event in the stage it
is about, at T0 + 10 days. Journey times in the stages (hours): intake A 1, B 0.5, C 2;
completeness A 24, B 2, C 12 + 6; risk_review A 48, C 24. A also has one web touchpoint at
completeness from the report fixture.
"""

from __future__ import annotations

from datetime import timedelta

from journey.application import Channel, Product
from journey.stages import Party, Stage
from journey.timeline import EventType, TimingEvent
from journey.touchpoints import ComplaintCategory, RecordFeedbackInput, ScoreKind
from store.feedback import record_feedback
from store.timing import record_events
from tests.report.report_fixture import T0

S, K, C, Ch = Stage, ScoreKind, ComplaintCategory, Channel
PRODUCT = {"A": Product.WORKING_CAPITAL, "B": Product.WORKING_CAPITAL, "C": Product.PROJECT_FINANCE}
FEEDBACK = [
    ("A", S.INTAKE, K.CSAT, 5, None, Ch.WEB),
    ("A", S.COMPLETENESS, K.CSAT, 2, C.WAITING_TIME, Ch.WEB),
    ("A", S.RISK_REVIEW, K.CSAT, 1, C.WAITING_TIME, Ch.PHONE),
    ("A", S.INTAKE, K.NPS, 3, None, Ch.WEB),
    ("B", S.INTAKE, K.CSAT, 4, None, Ch.APP),
    ("B", S.COMPLETENESS, K.CSAT, 4, None, Ch.APP),
    ("B", S.INTAKE, K.NPS, 9, None, Ch.APP),
    ("C", S.INTAKE, K.CSAT, 5, None, Ch.BRANCH),
    ("C", S.COMPLETENESS, K.CSAT, 3, C.DOCUMENTS, Ch.RELATIONSHIP_MANAGER),
    ("C", S.RISK_REVIEW, K.CSAT, 3, None, Ch.PHONE),
    ("C", S.INTAKE, K.NPS, 10, None, Ch.BRANCH),
]


def record_fixed_feedback(url: str) -> None:
    at = T0 + timedelta(days=10)
    for i, (wf, stage, kind, score, category, channel) in enumerate(FEEDBACK):
        sequence = 100 + i
        record_events(
            url,
            [
                TimingEvent(
                    workflow_id=wf, sequence=sequence, type=EventType.TOUCHPOINT, stage=stage,
                    at=at, waits_on=Party.SYSTEM, product=PRODUCT[wf], actor="customer",
                    channel=channel, detail=f"feedback {kind}={score} about {stage}",
                )
            ],
        )  # fmt: skip
        record_feedback(
            url,
            RecordFeedbackInput(
                workflow_id=wf, sequence=sequence, at=at, product=PRODUCT[wf], stage=stage,
                attempt=1, given_at=stage, kind=kind, score=score, category=category,
                channel=channel, actor="customer",
            ),
        )  # fmt: skip
